using System.Text.Json.Serialization;
using Attest.Evidence.Catalog;
using Attest.Evidence.Model;

namespace Attest.Evidence;

/// <summary>Readiness of one framework criterion.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ReadinessStatus>))]
public enum ReadinessStatus { Ready, Gap, NeedsAttention, HumanEvidence, NotCovered }

public sealed record CriterionReadiness(Criterion Criterion, ReadinessStatus Status, IReadOnlyList<string> Controls, IReadOnlyList<string> Gaps);

/// <summary>Status per criterion, gaps with remediation, and what needs human evidence.</summary>
public sealed record ReadinessReport(IReadOnlyList<CriterionReadiness> Criteria)
{
    public int Count(ReadinessStatus s) => Criteria.Count(c => c.Status == s);

    public static ReadinessReport Build(ControlCatalog catalog, IReadOnlyList<ControlOutcome> controls)
    {
        var list = new List<CriterionReadiness>();
        foreach (var cr in catalog.Criteria)
        {
            var mapped = controls.Where(c => c.Control.AllMappings.Contains(cr.Id, StringComparer.Ordinal)).ToList();
            if (mapped.Count == 0)
            {
                list.Add(new CriterionReadiness(cr, cr.OutsideView ? ReadinessStatus.HumanEvidence : ReadinessStatus.NotCovered, [],
                    cr.OutsideView ? ["outside Attest's view: provide policies, records or attestations by hand"] : ["no Attest control maps here yet"]));
                continue;
            }
            var statuses = mapped.Select(m => m.Result.Status).ToList();
            var status = statuses.Contains(ControlStatus.Fail) ? ReadinessStatus.Gap
                : statuses.Any(s => s is ControlStatus.NeedsAttention or ControlStatus.NotComputable) ? ReadinessStatus.NeedsAttention
                : ReadinessStatus.Ready;
            var gaps = mapped.SelectMany(m => m.Result.Remediation.Count > 0 ? m.Result.Remediation
                : m.Result.Status is ControlStatus.Fail or ControlStatus.NeedsAttention or ControlStatus.NotComputable ? [$"{m.Control.Id}: {m.Result.Summary}"] : []).Distinct().ToList();
            list.Add(new CriterionReadiness(cr, status, [.. mapped.Select(m => m.Control.Id)], gaps));
        }
        return new ReadinessReport(list);
    }
}
