using System.Buffers;
using System.Text;
using System.Text.RegularExpressions;
using Attest.Guards.Text;

namespace Attest.Guards.Injection;

/// <summary>Decodes embedded base64, hex, URL-encoded and rot13 segments so hidden instructions are read too.</summary>
public static partial class Decoders
{
    [GeneratedRegex(@"[A-Za-z0-9+/]{16,}={0,2}", RegexOptions.CultureInvariant)]
    private static partial Regex Base64Segment();

    [GeneratedRegex(@"\b(?:[0-9a-fA-F]{2}[\s:]?){12,}", RegexOptions.CultureInvariant)]
    private static partial Regex HexSegment();

    [GeneratedRegex(@"(?:%[0-9a-fA-F]{2}[^%\s]{0,3}){4,}", RegexOptions.CultureInvariant)]
    private static partial Regex UrlSegment();

    private static readonly SearchValues<char> Printable = SearchValues.Create(
        Enumerable.Range(32, 95).Select(i => (char)i).Concat("\n\r\t").ToArray());

    /// <summary>Decoded texts found in <paramref name="text"/> (only those that decode to mostly printable text).</summary>
    public static List<string> Decode(string text)
    {
        var views = new List<string>();
        if (text.Length < 16) return views;
        if (CharRuns.HasBase64Run(text, 16))
        foreach (var m in Base64Segment().EnumerateMatches(text))
        {
            var seg = text.AsSpan(m.Index, m.Length);
            int len = seg.Length - seg.Length % 4;
            if (len < 16) continue;
            var bytes = new byte[len / 4 * 3];
            if (Convert.TryFromBase64Chars(seg[..len], bytes, out int written)) AddIfText(views, bytes.AsSpan(0, written));
        }
        if (CharRuns.HasHexRun(text, 24))
        foreach (var m in HexSegment().EnumerateMatches(text))
        {
            var hex = new string(text.AsSpan(m.Index, m.Length)).Replace(" ", "", StringComparison.Ordinal).Replace(":", "", StringComparison.Ordinal).Trim();
            if (hex.Length % 2 == 1) hex = hex[..^1];
            try { AddIfText(views, Convert.FromHexString(hex)); } catch (FormatException) { /* not hex after all */ }
        }
        if (text.Contains('%', StringComparison.Ordinal))
            foreach (var m in UrlSegment().EnumerateMatches(text))
                views.Add(Uri.UnescapeDataString(text.AsSpan(m.Index, m.Length)));
        return views;
    }

    /// <summary>ROT13 of ASCII letters.</summary>
    public static string Rot13(string text) => string.Create(text.Length, text, static (dst, src) =>
    {
        for (int i = 0; i < src.Length; i++)
        {
            char c = src[i];
            dst[i] = c switch
            {
                >= 'a' and <= 'z' => (char)('a' + (c - 'a' + 13) % 26),
                >= 'A' and <= 'Z' => (char)('A' + (c - 'A' + 13) % 26),
                _ => c,
            };
        }
    });

    private static void AddIfText(List<string> views, ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 8) return;
        string s = Encoding.UTF8.GetString(bytes);
        int printable = Count(s);
        if (printable >= s.Length * 0.9 && s.Contains(' ', StringComparison.Ordinal)) views.Add(s);
    }

    private static int Count(string s)
    {
        int n = 0;
        foreach (var c in s) if (Printable.Contains(c)) n++;
        return n;
    }
}
