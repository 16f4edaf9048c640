using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Attest.Core.Guards;

namespace Attest.Guards.Pii;

/// <summary>IPv4 (each octet 0–255, not part of a longer dotted number) and IPv6 (validated by the parser).</summary>
internal static partial class IpRecognizer
{
    private static readonly System.Buffers.SearchValues<char> HexLetters = System.Buffers.SearchValues.Create("abcdefABCDEF");
    private static readonly string[] Cues = ["ip", "address", "host", "server", "client", "login from", "connected", "remote"];

    [GeneratedRegex(@"(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?!\.?\d)", RegexOptions.CultureInvariant)]
    private static partial Regex V4();

    [GeneratedRegex(@"(?<![\w:.])(?:[0-9A-Fa-f]{1,4}:|:)(?::?[0-9A-Fa-f]{1,4}|:){1,7}(?:%\w+)?(?![\w:])", RegexOptions.CultureInvariant)]
    private static partial Regex V6();

    public static void Scan(string text, List<GuardFinding> findings) => Scan(text, findings, System.Text.Ascii.IsValid(text));

    /// <summary>Scans with <paramref name="ascii"/> saying whether the text is all ASCII (known to the caller).</summary>
    internal static void Scan(string text, List<GuardFinding> findings, bool ascii)
    {
        if (MayHaveV4(text, ascii))
        foreach (var m in V4().EnumerateMatches(text))
        {
            double score = ContextWords.Near(text, m.Index, m.Length, Cues) ? 0.99 : 0.85;
            findings.Add(new GuardFinding("pii.ip", m.Index, m.Length, score, "pii.ip.v4"));
        }
        if (!HasColonPair(text)) return;
        foreach (var m in V6().EnumerateMatches(text))
        {
            var span = text.AsSpan(m.Index, m.Length);
            if (span.Count(':') < 2 || span.Length < 3) continue;
            if (!IPAddress.TryParse(span, out var ip) || ip.AddressFamily != AddressFamily.InterNetworkV6) continue;
            if (!span.ContainsAny(HexLetters) && span.Count(':') < 3 && !span.Contains("::", StringComparison.Ordinal)) continue;
            if (span is "::" or "::1" && !ContextWords.Near(text, m.Index, m.Length, Cues)) continue;
            findings.Add(new GuardFinding("pii.ip", m.Index, m.Length, 0.95, "pii.ip.v6"));
        }
    }

    /// <summary>
    /// Prefilter for IPv4: a match holds a dot between two digits. Checked on ASCII text, where <c>\d</c> is 0–9;
    /// any other text goes to the regex.
    /// </summary>
    internal static bool MayHaveV4(string text) => MayHaveV4(text, System.Text.Ascii.IsValid(text));

    private static bool MayHaveV4(string text, bool ascii)
    {
        var span = text.AsSpan();
        if (!ascii) return true;
        for (int i = span.IndexOf('.'); i >= 0;)
        {
            if (i > 0 && i + 1 < span.Length && char.IsAsciiDigit(span[i - 1]) && char.IsAsciiDigit(span[i + 1])) return true;
            int next = span[(i + 1)..].IndexOf('.');
            i = next < 0 ? -1 : i + 1 + next;
        }
        return false;
    }

    /// <summary>
    /// Prefilter: a reported IPv6 match holds two colons with only hex digits between them; text without such a
    /// pair cannot produce a finding, so the regex (which tries every hex letter) is skipped.
    /// </summary>
    private static bool HasColonPair(ReadOnlySpan<char> text)
    {
        int i = text.IndexOf(':');
        while (i >= 0)
        {
            int j = i + 1;
            while (j < text.Length && char.IsAsciiHexDigit(text[j])) j++;
            if (j < text.Length && text[j] == ':') return true;
            int next = text[(i + 1)..].IndexOf(':');
            i = next < 0 ? -1 : i + 1 + next;
        }
        return false;
    }
}
