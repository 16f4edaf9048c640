using System.Globalization;
using Attest.Core.Audit;
using Attest.Evidence.Model;

namespace Attest.Evidence.ControlTests;

/// <summary>Token consumption has a per-agent, per-model daily baseline; days far above it are anomalies.</summary>
public sealed class TokenBaselineTest : IControlTest
{
    private readonly Dictionary<(string Who, string Model), SortedDictionary<DateOnly, long>> _series = [];
    public string Id => "token-baseline";
    public string Title => "Token consumption is limited and baselined per agent and model";
    public bool ReadsAuditLog => true;

    public void Observe(AuditEventView e)
    {
        if (e.Type != AuditEventTypes.ChatResponse) return;
        var who = e.Actor.Agent ?? e.Actor.KeyId ?? e.Tenant;
        var key = (who, e.Model?.Alias ?? "?");
        if (!_series.TryGetValue(key, out var days)) _series[key] = days = [];
        var day = DateOnly.FromDateTime(e.Time.UtcDateTime);
        days[day] = days.GetValueOrDefault(day) + (e.InputTokens ?? 0) + (e.OutputTokens ?? 0);
    }

    public ControlTestResult Evaluate(EvidenceInputs inputs, TestClock clock)
    {
        if (inputs.Audit is null) return clock.NotComputable(this, "The audit log was not available to this run.");
        var results = new List<ResourceResult>();
        foreach (var ((who, model), days) in _series.OrderBy(s => s.Key.Who, StringComparer.Ordinal).ThenBy(s => s.Key.Model, StringComparer.Ordinal))
        {
            var values = days.Values.OrderBy(v => v).ToList();
            var median = values[values.Count / 2];
            var anomalies = values.Count >= 3 ? days.Where(d => d.Value > Math.Max(3 * median, median + 1000)).Select(d => d.Key.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).ToList() : [];
            results.Add(new ResourceResult("consumer", $"{who}/{model}", anomalies.Count > 0 ? ControlStatus.NeedsAttention : ControlStatus.Pass,
                $"baseline {median} tokens/day over {values.Count} days" + (anomalies.Count > 0 ? $"; anomalies on {string.Join(", ", anomalies)}" : "")));
        }
        var limited = inputs.Policy.Config.Limits.KeyDefaults is not null || inputs.Policy.Config.Tenants.Any(t => t.Limits is not null)
            || inputs.Policy.Config.Agents.Any(a => a.Budget is not null) || (inputs.Keys?.Any(k => k.RequestsPerMinute is not null || k.TokensPerMinute is not null) ?? false);
        results.Add(new ResourceResult("limits", "configured", limited ? ControlStatus.Pass : ControlStatus.Fail, limited ? "rate limits or budgets are configured" : "no rate limit or budget anywhere"));
        return clock.Result(this, results, $"{_series.Count} consumption baselines computed.", [new EvidenceRef("config", inputs.Policy.ContentHash, "limits")],
            results.Where(r => r.Status != ControlStatus.Pass).Select(r => r.Kind == "limits" ? "set limits.keyDefaults or tenant limits and agent budgets" : $"review consumption of {r.Id}: {r.Detail}").ToList());
    }
}

/// <summary>AI incident signals in the log are classified, and every class has a playbook.</summary>
public sealed class IncidentsClassifiedTest : IControlTest
{
    private readonly Dictionary<string, (long Count, List<string> Ids)> _byClass = new(StringComparer.Ordinal);
    public string Id => "incidents-classified";
    public string Title => "AI incidents are classified and each class has a response playbook";
    public bool ReadsAuditLog => true;
    public IReadOnlyDictionary<string, (long Count, List<string> Ids)> ByClass => _byClass;

    public void Observe(AuditEventView e)
    {
        if (IncidentClasses.Classify(e) is not { } cls) return;
        if (!_byClass.TryGetValue(cls, out var v)) v = (0, []);
        if (v.Ids.Count < 10) v.Ids.Add(e.Id);
        _byClass[cls] = (v.Count + 1, v.Ids);
    }

    public ControlTestResult Evaluate(EvidenceInputs inputs, TestClock clock)
    {
        if (inputs.Audit is null) return clock.NotComputable(this, "The audit log was not available to this run.");
        var results = IncidentClasses.All.Select(c =>
        {
            var n = _byClass.TryGetValue(c, out var v) ? v.Count : 0;
            var hasPlaybook = Artifacts.Playbooks.All.Any(p => p.IncidentClass == c);
            return new ResourceResult("incident-class", c, hasPlaybook ? ControlStatus.Pass : ControlStatus.Fail,
                $"{n} signals ({IncidentClasses.Severity(c)} severity); playbook {(hasPlaybook ? "present" : "missing")}");
        }).ToList();
        var evidence = _byClass.SelectMany(p => p.Value.Ids.Select(i => new EvidenceRef("audit-event", i, p.Key))).ToList();
        return clock.Result(this, results, $"{_byClass.Values.Sum(v => v.Count)} incident signals classified in the period.", evidence);
    }
}

/// <summary>Every generated response carried the AI-generated disclosure.</summary>
public sealed class DisclosureTest : IControlTest
{
    private long _responses, _disclosed;
    public string Id => "disclosure";
    public string Title => "Generated responses are disclosed as AI-generated";
    public bool ReadsAuditLog => true;

    public void Observe(AuditEventView e)
    {
        if (e.Type != AuditEventTypes.ChatResponse) return;
        _responses++;
        if (e.Attributes.GetValueOrDefault("ai_disclosure") == "true") _disclosed++;
    }

    public ControlTestResult Evaluate(EvidenceInputs inputs, TestClock clock)
    {
        if (inputs.Audit is null) return clock.NotComputable(this, "The audit log was not available to this run.");
        if (_responses == 0) return clock.Result(this, [], "No generated response in the period.");
        var ok = _disclosed == _responses;
        return clock.Result(this, [new ResourceResult("responses", "chat.response", ok ? ControlStatus.Pass : ControlStatus.Fail, $"{_disclosed} of {_responses} responses disclosed")],
            $"{_disclosed} of {_responses} generated responses carried x-attest-ai-generated.");
    }
}
