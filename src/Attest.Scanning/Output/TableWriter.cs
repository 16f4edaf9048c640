using System.Text;
using Attest.Scanning.Rules;

namespace Attest.Scanning.Output;

/// <summary>The default human-readable output: one line per finding, then a summary.</summary>
public static class TableWriter
{
    public static string Write(ScanReport report)
    {
        var sb = new StringBuilder();
        var rows = report.Findings.Select(f => (Sev: f.Severity.ToString().ToUpperInvariant(), f.RuleId, Loc: f.Location.ToString(), f.Subject, f.Message)).ToList();
        int w1 = Math.Max(8, rows.Count == 0 ? 0 : rows.Max(r => r.Sev.Length)), w3 = Math.Max(8, rows.Count == 0 ? 0 : rows.Max(r => r.Loc.Length));
        if (rows.Count > 0)
        {
            sb.Append("SEVERITY".PadRight(w1)).Append("  RULE         ").Append("LOCATION".PadRight(w3)).Append("  FINDING\n");
            foreach (var f in report.Findings)
            {
                sb.Append(f.Severity.ToString().ToUpperInvariant().PadRight(w1)).Append("  ").Append(f.RuleId.PadRight(11)).Append("  ")
                  .Append(f.Location.ToString().PadRight(w3)).Append("  ").Append(f.Message).Append('\n');
                foreach (var hop in f.Hops)
                    sb.Append(' ', w1 + 15 + w3).Append($"  hop {hop.Step} at {hop.Location}: {hop.Action}\n");
            }
            sb.Append('\n');
        }
        foreach (var note in report.Notes) sb.Append("note: ").Append(note).Append('\n');
        sb.Append($"Scanned {report.Objects} RBAC/workload objects from {report.Sources} source(s) ({report.IgnoredObjects} other objects ignored), {report.Subjects.Count} subjects, {report.Agents.Select(a => a.Id).Distinct().Count()} agents.\n");
        sb.Append($"{report.Findings.Count} finding(s): ")
          .Append(string.Join(", ", report.BySeverity.Select(s => $"{s.Count} {s.Severity.ToString().ToLowerInvariant()}")))
          .Append(". SOC 2: ")
          .Append(string.Join(", ", new[] { "CC6.1", "CC6.2", "CC6.3" }.Select(c => $"{c} {report.ControlFindings(c).Count()}")))
          .Append('\n');
        return sb.ToString();
    }

    /// <summary>Parses a severity name (case-insensitive); null when unknown.</summary>
    public static Severity? ParseSeverity(string text) =>
        Enum.TryParse<Severity>(text, ignoreCase: true, out var s) && Enum.IsDefined(s) && !int.TryParse(text, out _) ? s : null;
}
