using System.Text.RegularExpressions;
using Attest.Core.Guards;

namespace Attest.Guards.Pii;

/// <summary>ABA routing numbers: nine digits with the 3-7-1 checksum and a Federal Reserve prefix, near a banking cue.</summary>
internal static partial class AbaRecognizer
{
    private static readonly string[] Cues = ["routing", "aba", "rtn", "transit", "wire", "ach", "bank"];

    [GeneratedRegex(@"(?<![\d\-])\d{9}(?![\d\-])", RegexOptions.CultureInvariant)]
    internal static partial Regex Candidate();

    public static void Scan(string text, List<GuardFinding> findings) => Scan(text, DigitRuns.Of(text), findings);

    public static void Scan(string text, in DigitRuns runs, List<GuardFinding> findings)
    {
        if (!runs.Aba) return;
        foreach (var m in Candidate().EnumerateMatches(text))
        {
            // One random nine-digit run in ten passes the checksum, so a cue is required.
            if (!Checksums.AbaRouting(text.AsSpan(m.Index, m.Length))) continue;
            if (!ContextWords.Near(text, m.Index, m.Length, Cues)) continue;
            findings.Add(new GuardFinding("pii.aba", m.Index, m.Length, 0.95, "pii.aba.checksum"));
        }
    }
}
