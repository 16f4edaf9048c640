using Attest.Evidence.Artifacts;

namespace Attest.Evidence.Export;

/// <summary>An evidence run with every artifact rendered: what all exports are written from. Immutable.</summary>
public sealed record ReportBundle
{
    public required EvidenceRun Run { get; init; }
    public required string InventoryMarkdown { get; init; }
    public required string SubprocessorsMarkdown { get; init; }
    public required string AccessNarrative { get; init; }
    public required string IncidentResponse { get; init; }
    public required string RiskRegisterMarkdown { get; init; }
    public required IReadOnlyList<Risk> Risks { get; init; }
    public required string ProvenanceMarkdown { get; init; }
    public required string DataFlowMermaid { get; init; }
    public required string DataFlowSvg { get; init; }

    public static ReportBundle From(EvidenceRun run)
    {
        var p = run.Inputs.Policy;
        var risks = RiskRegister.Build(p, run.Controls);
        return new ReportBundle
        {
            Run = run,
            InventoryMarkdown = SystemInventory.Markdown(p),
            SubprocessorsMarkdown = SystemInventory.SubprocessorsMarkdown(p),
            AccessNarrative = Narratives.AccessControl(p),
            IncidentResponse = Narratives.IncidentResponse(run.IncidentCounts),
            Risks = risks,
            RiskRegisterMarkdown = RiskRegister.Markdown(risks),
            ProvenanceMarkdown = SystemInventory.ProvenanceMarkdown(p),
            DataFlowMermaid = DataFlowDiagram.Mermaid(p),
            DataFlowSvg = DataFlowDiagram.Svg(p),
        };
    }

    public string PeriodText => $"{Run.Inputs.PeriodStart:yyyy-MM-dd}..{Run.Inputs.PeriodEnd.AddDays(-1):yyyy-MM-dd}";
}
