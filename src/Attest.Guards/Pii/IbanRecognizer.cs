using System.Collections.Frozen;
using System.Text.RegularExpressions;
using Attest.Core.Guards;

namespace Attest.Guards.Pii;

/// <summary>IBANs: country code, per-country length (ISO 13616 registry) and the mod-97 check.</summary>
internal static partial class IbanRecognizer
{
    private static readonly FrozenDictionary<string, int> Lengths = new Dictionary<string, int>
    {
        ["AD"] = 24, ["AE"] = 23, ["AL"] = 28, ["AT"] = 20, ["AZ"] = 28, ["BA"] = 20, ["BE"] = 16, ["BG"] = 22, ["BH"] = 22,
        ["BR"] = 29, ["BY"] = 28, ["CH"] = 21, ["CR"] = 22, ["CY"] = 28, ["CZ"] = 24, ["DE"] = 22, ["DK"] = 18, ["DO"] = 28,
        ["EE"] = 20, ["EG"] = 29, ["ES"] = 24, ["FI"] = 18, ["FO"] = 18, ["FR"] = 27, ["GB"] = 22, ["GE"] = 22, ["GI"] = 23,
        ["GL"] = 18, ["GR"] = 27, ["GT"] = 28, ["HR"] = 21, ["HU"] = 28, ["IE"] = 22, ["IL"] = 23, ["IQ"] = 23, ["IS"] = 26,
        ["IT"] = 27, ["JO"] = 30, ["KW"] = 30, ["KZ"] = 20, ["LB"] = 28, ["LC"] = 32, ["LI"] = 21, ["LT"] = 20, ["LU"] = 20,
        ["LV"] = 21, ["MC"] = 27, ["MD"] = 24, ["ME"] = 22, ["MK"] = 19, ["MR"] = 27, ["MT"] = 31, ["MU"] = 30, ["NL"] = 18,
        ["NO"] = 15, ["PK"] = 24, ["PL"] = 28, ["PS"] = 29, ["PT"] = 25, ["QA"] = 29, ["RO"] = 24, ["RS"] = 22, ["SA"] = 24,
        ["SC"] = 31, ["SE"] = 24, ["SI"] = 19, ["SK"] = 24, ["SM"] = 27, ["ST"] = 25, ["SV"] = 28, ["TL"] = 23, ["TN"] = 24,
        ["TR"] = 26, ["UA"] = 29, ["VA"] = 22, ["VG"] = 24, ["XK"] = 20,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    [GeneratedRegex(@"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b", RegexOptions.CultureInvariant)]
    internal static partial Regex Candidate();

    public static void Scan(string text, List<GuardFinding> findings) => Scan(text, DigitRuns.Of(text), findings);

    public static void Scan(string text, in DigitRuns runs, List<GuardFinding> findings)
    {
        if (!runs.Iban) return;
        Span<char> buf = stackalloc char[34];
        foreach (var m in Candidate().EnumerateMatches(text))
        {
            var span = text.AsSpan(m.Index, m.Length);
            if (!Lengths.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(span[..2], out int len)) continue;
            int n = 0;
            int end = 0;
            for (int i = 0; i < span.Length && n < len; i++)
            {
                if (span[i] == ' ') continue;
                buf[n++] = span[i];
                end = i + 1;
            }
            // The IBAN must end where its country's length ends: a longer run of letters and digits is something else.
            if (n != len || (end < span.Length && span[end] != ' ') || !Checksums.IbanMod97(buf[..n])) continue;
            findings.Add(new GuardFinding("pii.iban", m.Index, end, 0.99, "pii.iban.mod97"));
        }
    }
}
