using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Attest.Guards.Injection;

/// <summary>
/// The common case of <see cref="TextNormalizer.Normalize"/>: printable ASCII with single spaces between words, no
/// leading or trailing space and no letters spaced out one by one. Then folding keeps every character in place
/// (no blank run to shorten, nothing to join) and is a per-character map — done 16 characters at a time.
/// Any other text takes the general path; the tests check that both agree.
/// </summary>
public static partial class TextNormalizer
{
    private static bool TryNormalizeAscii(string text, out string result)
    {
        result = text;
        if (!IsAsciiFastCase(text)) return false;
        result = string.Create(text.Length, text, static (dst, src) => FoldAscii(src, dst));
        return true;
    }

    /// <summary>
    /// True when <paramref name="text"/> takes the per-character fast path of <see cref="Normalize"/>: its normal form is then
    /// exactly as long as the text and <see cref="FoldAscii"/> writes it (no string needed).
    /// </summary>
    internal static bool IsAsciiFastCase(string text) =>
        Vector256.IsHardwareAccelerated && text.Length >= 32 && text[0] != ' ' && text[^1] != ' ' && IsPlainAscii(text);

    /// <summary>Writes the normal form of a text for which <see cref="IsAsciiFastCase"/> holds into <paramref name="destination"/> (at least as long).</summary>
    internal static void FoldAscii(ReadOnlySpan<char> text, Span<char> destination)
    {
        var s = MemoryMarshal.Cast<char, ushort>(text);
        var d = MemoryMarshal.Cast<char, ushort>(destination)[..s.Length];
        int i = 0;
        for (; i + 16 <= s.Length; i += 16) MapAscii(Vector256.Create(s.Slice(i, 16))).CopyTo(d.Slice(i, 16));
        for (; i < s.Length; i++) d[i] = (ushort)(AsciiFold[s[i]] & 0x7FFF);
    }

    /// <summary>Only 0x20–0x7E, no two spaces in a row, and no spaces two apart three times in a row (a spaced-out word needs that).</summary>
    private static bool IsPlainAscii(string text)
    {
        var s = MemoryMarshal.Cast<char, ushort>(text.AsSpan());
        var space = Vector256.Create((ushort)' ');
        int i = 0;
        for (; i + 20 <= s.Length; i += 16)
        {
            var v = Vector256.Create(s.Slice(i, 16));
            var outside = Vector256.GreaterThan(v - space, Vector256.Create((ushort)(0x7E - 0x20)));
            var sp0 = Vector256.Equals(v, space);
            var sp1 = Vector256.Equals(Vector256.Create(s.Slice(i + 1, 16)), space);
            var sp2 = Vector256.Equals(Vector256.Create(s.Slice(i + 2, 16)), space);
            var sp4 = Vector256.Equals(Vector256.Create(s.Slice(i + 4, 16)), space);
            if ((outside | (sp0 & sp1) | (sp0 & sp2 & sp4)) != Vector256<ushort>.Zero) return false;
        }
        for (; i < s.Length; i++)
        {
            int c = s[i];
            if (c is < 0x20 or > 0x7E) return false;
            if (c == ' ' && ((i + 1 < s.Length && s[i + 1] == ' ') || (i + 4 < s.Length && s[i + 2] == ' ' && s[i + 4] == ' '))) return false;
        }
        return true;
    }

    private static Vector256<ushort> MapAscii(Vector256<ushort> c)
    {
        var upper = Vector256.LessThan(c - Vector256.Create((ushort)'A'), Vector256.Create((ushort)26));
        var r = c | (upper & Vector256.Create((ushort)0x20));
        r = Swap(r, c, '0', 'o');
        r = Swap(r, c, '1', 'i');
        r = Swap(r, c, '3', 'e');
        r = Swap(r, c, '4', 'a');
        r = Swap(r, c, '5', 's');
        r = Swap(r, c, '7', 't');
        r = Swap(r, c, '@', 'a');
        return Swap(r, c, '$', 's');
    }

    private static Vector256<ushort> Swap(Vector256<ushort> r, Vector256<ushort> c, char from, char to) =>
        Vector256.ConditionalSelect(Vector256.Equals(c, Vector256.Create((ushort)from)), Vector256.Create((ushort)to), r);
}
