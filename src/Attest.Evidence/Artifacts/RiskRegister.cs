using Attest.Core.Config;
using Attest.Evidence.Model;

namespace Attest.Evidence.Artifacts;

public sealed record Risk(string Id, string Title, string Likelihood, string Impact, string Owner, IReadOnlyList<string> MitigatingControls, string Status);

/// <summary>
/// The AI risk register, derived from what is declared (agents, tools, providers, connectors) and
/// from the state of the controls that mitigate each risk: a failing control raises likelihood.
/// </summary>
public static class RiskRegister
{
    public static IReadOnlyList<Risk> Build(PolicySnapshot p, IReadOnlyList<ControlOutcome> controls)
    {
        var status = controls.ToDictionary(c => c.Control.Id, c => c.Result.Status, StringComparer.Ordinal);
        string Likelihood(string baseLevel, params string[] ids) =>
            ids.Any(i => status.GetValueOrDefault(i) == ControlStatus.Fail) ? "high"
            : ids.Any(i => status.GetValueOrDefault(i) is ControlStatus.NeedsAttention or ControlStatus.NotComputable) ? (baseLevel == "low" ? "medium" : baseLevel)
            : baseLevel;
        string State(params string[] ids) => ids.All(i => status.GetValueOrDefault(i) == ControlStatus.Pass) ? "mitigated"
            : ids.Any(i => status.GetValueOrDefault(i) == ControlStatus.Fail) ? "open — control failing" : "monitored";
        var risks = new List<Risk>();
        foreach (var a in p.Config.Agents)
        {
            var impact = a.Impact ?? "high";
            string[] ctl = ["ATT-AC-02", "ATT-AC-03", "ATT-GRD-04"];
            risks.Add(new Risk($"R-AGENT-{a.Id}", $"Agent {a.Id} takes an unintended action with its tools", Likelihood(impact is "high" or "critical" ? "medium" : "low", ctl),
                impact, a.Owner ?? "(unassigned)", ctl, State(ctl)));
        }
        foreach (var prov in p.Config.Providers.Where(x => x.Type != "offline"))
        {
            string[] ctl = ["ATT-VND-01", "ATT-GRD-01", "ATT-OPS-02"];
            risks.Add(new Risk($"R-VENDOR-{prov.Id}", $"Provider {prov.Id} receives personal or confidential data, or is unavailable", Likelihood("medium", ctl),
                prov.MaxClassification is "confidential" or "restricted" ? "high" : "medium", "security owner", ctl, State(ctl)));
        }
        foreach (var c in p.Config.Connectors.Where(c => c.Classification is "confidential" or "restricted"))
        {
            string[] ctl = ["ATT-AC-05", "ATT-DAT-01", "ATT-DAT-02", "ATT-GRD-02"];
            risks.Add(new Risk($"R-DATA-{c.Id}", $"Documents from {c.Id} reach a user outside their ACL, or carry an injection", Likelihood("low", ctl),
                c.Classification == "restricted" ? "critical" : "high", c.Owner ?? "(unassigned)", ctl, State(ctl)));
        }
        string[] inj = ["ATT-GRD-02", "ATT-GRD-03"];
        risks.Add(new Risk("R-INJECTION", "A prompt injection takes over a conversation or leaks the system prompt", Likelihood("medium", inj), "high", "security owner", inj, State(inj)));
        string[] cost = ["ATT-OPS-01"];
        risks.Add(new Risk("R-CONSUMPTION", "Unbounded token consumption exhausts budget or capacity", Likelihood("medium", cost), "medium", "platform owner", cost, State(cost)));
        string[] log = ["ATT-LOG-01", "ATT-DAT-03"];
        risks.Add(new Risk("R-EVIDENCE", "Records of AI activity are lost, altered or kept too long", Likelihood("low", log), "high", "security owner", log, State(log)));
        return risks;
    }

    public static string Markdown(IReadOnlyList<Risk> risks)
    {
        var sb = new System.Text.StringBuilder();
        SystemInventory.Table(sb, ["Risk", "Description", "Likelihood", "Impact", "Owner", "Mitigating controls", "Status"],
            risks.Select(r => new[] { r.Id, r.Title, r.Likelihood, r.Impact, r.Owner, string.Join(", ", r.MitigatingControls), r.Status }));
        return sb.ToString();
    }
}
