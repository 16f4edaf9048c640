using System.Globalization;
using System.Text;
using Attest.Evidence.Artifacts;
using Attest.Evidence.Model;

namespace Attest.Evidence.Export;

/// <summary>Writes the report as Markdown (also the source the HTML report renders).</summary>
public static class MarkdownReport
{
    public static string Render(ReportBundle b)
    {
        var r = b.Run;
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine(inv, $"# Attest evidence report — {b.PeriodText}").AppendLine();
        sb.AppendLine(inv, $"Collected {r.CollectedAt:yyyy-MM-dd HH:mm} UTC from config version `{r.Inputs.Policy.ContentHash[..16]}` and {r.EventsRead} audit events in the period. Every status below was computed by an automated test; nothing was typed by hand.").AppendLine();
        sb.AppendLine("## Overview").AppendLine();
        var c = r.Controls;
        sb.AppendLine(inv, $"- Controls: {c.Count(x => x.Result.Status == ControlStatus.Pass)} pass, {c.Count(x => x.Result.Status == ControlStatus.Fail)} fail, {c.Count(x => x.Result.Status == ControlStatus.NeedsAttention)} need attention, {c.Count(x => x.Result.Status == ControlStatus.NotComputable)} not computable, {c.Count(x => x.Result.Status == ControlStatus.NotApplicable)} not applicable.");
        var rd = r.Readiness;
        sb.AppendLine(inv, $"- Criteria: {rd.Count(ReadinessStatus.Ready)} ready, {rd.Count(ReadinessStatus.Gap)} with gaps, {rd.Count(ReadinessStatus.NeedsAttention)} need attention, {rd.Count(ReadinessStatus.HumanEvidence)} need human evidence, {rd.Count(ReadinessStatus.NotCovered)} not covered by Attest.");
        sb.AppendLine();
        sb.AppendLine("## Gaps and remediation").AppendLine();
        var gaps = rd.Criteria.Where(x => x.Status == ReadinessStatus.Gap).SelectMany(x => x.Gaps).Distinct().ToList();
        if (gaps.Count == 0) sb.AppendLine("No failing control.");
        foreach (var g in gaps) sb.AppendLine(inv, $"- {g}");
        sb.AppendLine();
        sb.AppendLine("## Controls").AppendLine();
        SystemInventory.Table(sb, ["Control", "Title", "Status", "Summary", "Maps to"],
            c.Select(x => new[] { x.Control.Id, x.Control.Title, Label(x.Result.Status), x.Result.Summary, string.Join(", ", x.Control.AllMappings) }));
        sb.AppendLine("## Control tests").AppendLine();
        foreach (var t in r.Tests)
        {
            sb.AppendLine(inv, $"### {t.TestId}: {t.Title} — {Label(t.Status)}").AppendLine();
            sb.AppendLine(inv, $"{t.Summary} Collected {t.CollectedAt:yyyy-MM-dd HH:mm}, expires {t.ExpiresAt:yyyy-MM-dd}.").AppendLine();
            if (t.Resources.Count > 0)
                SystemInventory.Table(sb, ["Resource", "Status", "Detail"], t.Resources.Take(200).Select(x => new[] { $"{x.Kind} {x.Id}", Label(x.Status), x.Detail }));
            if (t.Evidence.Count > 0)
            {
                sb.AppendLine("Evidence:");
                foreach (var e in t.Evidence.Take(20)) sb.AppendLine(inv, $"- {e.Kind} `{e.Reference.Split('\n')[0]}`{(e.Description is null ? "" : " — " + e.Description.Split('\n')[0])}");
                sb.AppendLine();
            }
        }
        sb.AppendLine("## Readiness by criterion").AppendLine();
        foreach (var fw in rd.Criteria.GroupBy(x => x.Criterion.Framework))
        {
            sb.AppendLine(inv, $"### {fw.Key}").AppendLine();
            SystemInventory.Table(sb, ["Id", "Criterion (paraphrased)", "Readiness", "Controls", "Gaps"],
                fw.Select(x => new[] { x.Criterion.Id, x.Criterion.Title, ReadinessLabel(x.Status), string.Join(", ", x.Controls), string.Join("; ", x.Gaps) }));
        }
        sb.AppendLine("## Outside Attest's view").AppendLine();
        sb.AppendLine("These criteria need human evidence (policies, training records, HR, governance). Attest does not answer them:").AppendLine();
        foreach (var x in rd.Criteria.Where(x => x.Status == ReadinessStatus.HumanEvidence)) sb.AppendLine(inv, $"- {x.Criterion.Id} — {x.Criterion.Title}");
        sb.AppendLine();
        sb.AppendLine("## AI system inventory").AppendLine().Append(b.InventoryMarkdown);
        sb.AppendLine("## Data flow").AppendLine().AppendLine("```mermaid").Append(b.DataFlowMermaid).AppendLine("```").AppendLine();
        sb.AppendLine("## Subprocessors").AppendLine().Append(b.SubprocessorsMarkdown);
        sb.AppendLine("## Access control").AppendLine().AppendLine(b.AccessNarrative);
        sb.AppendLine("## Incident response").AppendLine().AppendLine(b.IncidentResponse);
        sb.AppendLine("## Risk register").AppendLine().Append(b.RiskRegisterMarkdown);
        sb.AppendLine("## Training-data provenance").AppendLine().AppendLine(b.ProvenanceMarkdown);
        return sb.ToString();
    }

    public static string Label(ControlStatus s) => s switch
    {
        ControlStatus.Pass => "pass",
        ControlStatus.Fail => "FAIL",
        ControlStatus.NeedsAttention => "needs attention",
        ControlStatus.NotApplicable => "not applicable",
        _ => "not computable",
    };

    public static string ReadinessLabel(ReadinessStatus s) => s switch
    {
        ReadinessStatus.Ready => "ready",
        ReadinessStatus.Gap => "GAP",
        ReadinessStatus.NeedsAttention => "needs attention",
        ReadinessStatus.HumanEvidence => "human evidence",
        _ => "not covered",
    };
}
