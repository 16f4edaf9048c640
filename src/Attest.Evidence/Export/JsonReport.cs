using System.Text.Json;
using System.Text.Json.Serialization;
using Attest.Evidence.Artifacts;

namespace Attest.Evidence.Export;

/// <summary>The machine-readable report: every test, control, criterion, risk and inventory row.</summary>
public static class JsonReport
{
    public static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static string Render(ReportBundle b)
    {
        var r = b.Run;
        var p = r.Inputs.Policy;
        var doc = new
        {
            Schema = "attest.evidence-report/v1",
            Period = new { Start = r.Inputs.PeriodStart, End = r.Inputs.PeriodEnd },
            r.CollectedAt,
            ConfigVersion = p.ContentHash,
            r.EventsRead,
            Controls = r.Controls.Select(c => new { c.Control.Id, c.Control.Title, c.Control.Test, Status = c.Result.Status, c.Control.Soc2, c.Control.Nist, c.Control.OwaspLlm, c.Control.OwaspAgentic }),
            Tests = r.Tests,
            Readiness = r.Readiness.Criteria.Select(c => new { c.Criterion.Id, c.Criterion.Framework, c.Criterion.Title, c.Status, c.Controls, c.Gaps }),
            Inventory = new { Models = SystemInventory.Models(p), Agents = SystemInventory.Agents(p), Connectors = SystemInventory.Connectors(p) },
            Subprocessors = SystemInventory.Subprocessors(p),
            Risks = b.Risks,
            Incidents = r.IncidentCounts,
        };
        return JsonSerializer.Serialize(doc, Options);
    }
}
