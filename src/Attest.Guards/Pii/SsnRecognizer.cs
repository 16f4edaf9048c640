using System.Text.RegularExpressions;
using Attest.Core.Guards;

namespace Attest.Guards.Pii;

/// <summary>US Social Security numbers; invalid areas (000, 666, 9xx), groups (00) and serials (0000) are rejected.</summary>
internal static partial class SsnRecognizer
{
    private static readonly string[] Cues = ["ssn", "social security", "social-security", "soc sec", "taxpayer", "tin"];

    [GeneratedRegex(@"(?<![\d-])(\d{3})([- ]?)(\d{2})\2(\d{4})(?![\d-])", RegexOptions.CultureInvariant)]
    internal static partial Regex Candidate();

    public static void Scan(string text, List<GuardFinding> findings) => Scan(text, DigitRuns.Of(text), findings);

    public static void Scan(string text, in DigitRuns runs, List<GuardFinding> findings)
    {
        if (!runs.Ssn) return;
        for (var m = Candidate().Match(text); m.Success; m = m.NextMatch())
        {
            int area = int.Parse(m.Groups[1].ValueSpan, provider: System.Globalization.CultureInfo.InvariantCulture);
            int group = int.Parse(m.Groups[3].ValueSpan, provider: System.Globalization.CultureInfo.InvariantCulture);
            int serial = int.Parse(m.Groups[4].ValueSpan, provider: System.Globalization.CultureInfo.InvariantCulture);
            if (!Checksums.UsSsn(area, group, serial)) continue;
            bool cue = ContextWords.Near(text, m.Index, m.Length, Cues);
            bool separated = m.Groups[2].Length > 0;
            // An unseparated nine-digit run is an SSN only with a cue; dashed ones are distinctive on their own.
            double score = separated ? (cue ? 0.99 : (m.Groups[2].Value == "-" ? 0.85 : 0.6)) : (cue ? 0.9 : 0.3);
            if (score >= 0.5) findings.Add(new GuardFinding("pii.ssn", m.Index, m.Length, score, "pii.ssn.us"));
        }
    }
}
