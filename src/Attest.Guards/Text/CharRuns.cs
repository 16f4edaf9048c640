using System.Numerics;
using System.Runtime.Intrinsics;

namespace Attest.Guards.Text;

/// <summary>
/// Vectorised tests for "a run of at least n characters from a class" (the prefilters of the decoders): 16 characters
/// are classified per instruction, 64 per bit mask, and a run is found by folding the mask onto itself.
/// Each has a scalar twin the tests compare against; the scalar form runs where 256-bit vectors are not accelerated.
/// </summary>
internal static class CharRuns
{
    /// <summary>True when <paramref name="text"/> has <paramref name="min"/> consecutive base64 characters (<c>A–Z a–z 0–9 + /</c>).</summary>
    public static bool HasBase64Run(ReadOnlySpan<char> text, int min) =>
        Vector256.IsHardwareAccelerated ? HasRun<Base64Class>(text, min) : HasBase64RunScalar(text, min);

    /// <summary>
    /// True when some stretch without any character other than hex digits, <c>:</c> and white space holds
    /// <paramref name="min"/> hex digits (a hex segment can start there).
    /// </summary>
    public static bool HasHexRun(ReadOnlySpan<char> text, int min)
    {
        // A stretch holding min hex digits is at least min characters of {hex, ':', blank, any non-ASCII (may be blank)}.
        if (Vector256.IsHardwareAccelerated && !HasRun<HexStretchClass>(text, min)) return false;
        return HasHexRunScalar(text, min);
    }

    internal static bool HasBase64RunScalar(ReadOnlySpan<char> text, int min)
    {
        int run = 0;
        foreach (var c in text)
        {
            if (char.IsAsciiLetterOrDigit(c) || c is '+' or '/') { if (++run >= min) return true; }
            else run = 0;
        }
        return false;
    }

    internal static bool HasHexRunScalar(ReadOnlySpan<char> text, int min)
    {
        int digits = 0;
        foreach (var c in text)
        {
            if (char.IsAsciiHexDigit(c)) { if (++digits >= min) return true; }
            else if (c != ':' && !char.IsWhiteSpace(c)) digits = 0;
        }
        return false;
    }

    private interface IClass
    {
        static abstract Vector256<ushort> Members(Vector256<ushort> c);
        static abstract bool IsMember(char c);
    }

    private readonly struct Base64Class : IClass
    {
        public static Vector256<ushort> Members(Vector256<ushort> c)
        {
            var letter = Vector256.LessThan((c | Vector256.Create((ushort)0x20)) - Vector256.Create((ushort)'a'), Vector256.Create((ushort)26));
            var digit = Vector256.LessThan(c - Vector256.Create((ushort)'0'), Vector256.Create((ushort)10));
            var sign = Vector256.Equals(c, Vector256.Create((ushort)'+')) | Vector256.Equals(c, Vector256.Create((ushort)'/'));
            return letter | digit | sign;
        }

        public static bool IsMember(char c) => char.IsAsciiLetterOrDigit(c) || c is '+' or '/';
    }

    private readonly struct HexStretchClass : IClass
    {
        public static Vector256<ushort> Members(Vector256<ushort> c)
        {
            var digit = Vector256.LessThan(c - Vector256.Create((ushort)'0'), Vector256.Create((ushort)10));
            var hexLetter = Vector256.LessThan((c | Vector256.Create((ushort)0x20)) - Vector256.Create((ushort)'a'), Vector256.Create((ushort)6));
            var blank = Vector256.LessThan(c - Vector256.Create((ushort)9), Vector256.Create((ushort)5)) | Vector256.Equals(c, Vector256.Create((ushort)' '));
            var other = Vector256.Equals(c, Vector256.Create((ushort)':')) | Vector256.GreaterThan(c, Vector256.Create((ushort)127));
            return digit | hexLetter | blank | other;
        }

        public static bool IsMember(char c) => char.IsAsciiHexDigit(c) || c is ':' or ' ' or (>= '\t' and <= '\r') || c > 127;
    }

    private static bool HasRun<T>(ReadOnlySpan<char> text, int min) where T : IClass
    {
        var chars = System.Runtime.InteropServices.MemoryMarshal.Cast<char, ushort>(text);
        int carry = 0, i = 0;
        for (; i + 64 <= chars.Length; i += 64)
        {
            ulong m = 0;
            for (int k = 0; k < 4; k++)
                m |= (ulong)T.Members(Vector256.Create(chars.Slice(i + 16 * k, 16))).ExtractMostSignificantBits() << (16 * k);
            if (m == ulong.MaxValue)
            {
                carry += 64;
                if (carry >= min) return true;
                continue;
            }
            if (carry + BitOperations.TrailingZeroCount(~m) >= min || HasOnesRun(m, min)) return true;
            carry = BitOperations.LeadingZeroCount(~m);
        }
        for (; i < chars.Length; i++)
        {
            if (T.IsMember((char)chars[i])) { if (++carry >= min) return true; }
            else carry = 0;
        }
        return false;
    }

    /// <summary>True when <paramref name="m"/> has <paramref name="min"/> consecutive set bits (bit i set after the folds: bits i..i+have-1 all set).</summary>
    private static bool HasOnesRun(ulong m, int min)
    {
        int have = 1;
        while (have < min && m != 0)
        {
            int shift = Math.Min(have, min - have);
            m &= m >> shift;
            have += shift;
        }
        return m != 0;
    }
}
