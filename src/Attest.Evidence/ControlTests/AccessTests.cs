using Attest.Core.Audit;
using Attest.Evidence.Model;

namespace Attest.Evidence.ControlTests;

/// <summary>Every key expires, is scoped to named operations and belongs to a declared tenant.</summary>
public sealed class KeysScopedExpiringTest : IControlTest
{
    public string Id => "keys-scoped-expiring";
    public string Title => "Every virtual key expires, is scoped and belongs to a declared tenant";

    public ControlTestResult Evaluate(EvidenceInputs inputs, TestClock clock)
    {
        if (inputs.Keys is null) return clock.NotComputable(this, "The key store was not available to this run.");
        var results = new List<ResourceResult>();
        var fixes = new List<string>();
        foreach (var k in inputs.Keys.Where(k => k.RevokedAt is null || k.RevokedAt > inputs.PeriodStart).OrderBy(k => k.Id, StringComparer.Ordinal))
        {
            var problems = new List<string>();
            if (k.ExpiresAt is null) problems.Add("no expiry");
            if (k.Scopes.Count == 0) problems.Add("no scopes (all operations)");
            if (!inputs.Policy.Tenants.ContainsKey(k.Tenant)) problems.Add($"tenant '{k.Tenant}' is not declared");
            if (k.Agent is { } a && !inputs.Policy.Agents.ContainsKey(a)) problems.Add($"agent '{a}' is not declared");
            results.Add(new ResourceResult("key", k.Id, problems.Count == 0 ? ControlStatus.Pass : ControlStatus.Fail,
                problems.Count == 0 ? $"expires {k.ExpiresAt:yyyy-MM-dd}, scopes {string.Join(",", k.Scopes)}" : string.Join("; ", problems)));
            if (problems.Count > 0) fixes.Add($"key {k.Id}: {string.Join("; ", problems)} — rotate it with --expires and --scopes");
        }
        foreach (var k in inputs.Policy.Config.Keys)
        {
            var ok = k.Expires is not null && k.Scopes.Count > 0;
            results.Add(new ResourceResult("config-key", k.Id, ok ? ControlStatus.Pass : ControlStatus.Fail, ok ? "declared with expiry and scopes" : "declared without expiry or scopes"));
            if (!ok) fixes.Add($"config key {k.Id}: set expires and scopes in attest.yaml");
        }
        return clock.Result(this, results, $"{results.Count(r => r.Status == ControlStatus.Pass)} of {results.Count} active keys expire and are scoped.",
            [new EvidenceRef("config", inputs.Policy.ContentHash, "config version")], fixes);
    }
}

/// <summary>Every agent has an owner, an impact level, a model and an explicit tool allow-list with approval rules where impact is high.</summary>
public sealed class AgentsGovernedTest : IControlTest
{
    private static readonly string[] Impacts = ["low", "medium", "high", "critical"];
    public string Id => "agents-governed";
    public string Title => "Every agent has an owner, a domain, an impact level and a deny-by-default tool allow-list";

    public ControlTestResult Evaluate(EvidenceInputs inputs, TestClock clock)
    {
        var results = new List<ResourceResult>();
        var fixes = new List<string>();
        foreach (var a in inputs.Policy.Config.Agents.OrderBy(a => a.Id, StringComparer.Ordinal))
        {
            var problems = new List<string>();
            if (string.IsNullOrWhiteSpace(a.Owner)) problems.Add("no owner");
            if (string.IsNullOrWhiteSpace(a.Domain) && string.IsNullOrWhiteSpace(a.Purpose)) problems.Add("no purpose or domain");
            if (a.Impact is null || !Impacts.Contains(a.Impact)) problems.Add("no decision-impact level");
            if (string.IsNullOrWhiteSpace(a.Model)) problems.Add("no model");
            foreach (var t in a.Tools)
            {
                if (!inputs.Policy.Tools.TryGetValue(t.Tool, out var tool)) { problems.Add($"tool '{t.Tool}' is not declared"); continue; }
                if (tool.ArgumentsSchema is null) problems.Add($"tool '{t.Tool}' has no argument schema");
                var highImpact = tool.Impact is "high" or "critical" || a.Impact is "high" or "critical";
                if (highImpact && t.Approval == "never")
                {
                    problems.Add($"no approval rule for {tool.Impact}-impact tool '{t.Tool}'");
                    fixes.Add($"agent {a.Id} has no approval rule for tool {t.Tool}: set approval to always, impact or a when condition");
                }
            }
            results.Add(new ResourceResult("agent", a.Id, problems.Count == 0 ? ControlStatus.Pass : ControlStatus.Fail,
                problems.Count == 0 ? $"owner {a.Owner}, impact {a.Impact}, {a.Tools.Count} allowed tools" : string.Join("; ", problems)));
            if (problems.Count > 0 && !problems.All(p => p.StartsWith("no approval", StringComparison.Ordinal)))
                fixes.Add($"agent {a.Id}: {string.Join("; ", problems.Where(p => !p.StartsWith("no approval", StringComparison.Ordinal)))}");
        }
        return clock.Result(this, results, $"{results.Count(r => r.Status == ControlStatus.Pass)} of {results.Count} agents are fully governed.",
            [new EvidenceRef("config", inputs.Policy.ContentHash, "agents section")], fixes);
    }
}

/// <summary>100% of high-impact tool calls in the period had a matching, granted approval (or ran under a recorded break-glass).</summary>
public sealed class HighImpactApprovedTest : IControlTest
{
    private readonly HashSet<string> _granted = new(StringComparer.Ordinal);
    private readonly List<(AuditEventView Call, string? ApprovalId, bool BreakGlass)> _calls = [];

    public string Id => "high-impact-approved";
    public string Title => "Every high-impact tool call had a matching human approval";
    public bool ReadsAuditLog => true;

    public void Observe(AuditEventView e)
    {
        if (e.Type is AuditEventTypes.ApprovalGranted && ApprovalId(e) is { } id) _granted.Add(id);
        else if (e.Type == AuditEventTypes.ToolCall && e.Attributes.TryGetValue("impact", out var impact) && impact is "high" or "critical")
            _calls.Add((e, ApprovalId(e), e.Attributes.GetValueOrDefault("approval_bypass") == "breakglass"));
    }

    private static string? ApprovalId(AuditEventView e) => e.Attributes.GetValueOrDefault("approval") ?? e.Attributes.GetValueOrDefault("approval_id");

    public ControlTestResult Evaluate(EvidenceInputs inputs, TestClock clock)
    {
        if (inputs.Audit is null) return clock.NotComputable(this, "The audit log was not available to this run.");
        var results = _calls.Select(c =>
        {
            var ok = c.ApprovalId is not null && _granted.Contains(c.ApprovalId);
            var status = ok ? ControlStatus.Pass : c.BreakGlass ? ControlStatus.NeedsAttention : ControlStatus.Fail;
            var detail = ok ? $"approval {c.ApprovalId}" : c.BreakGlass ? "ran under break-glass (review)" : "no matching approval";
            return new ResourceResult("tool-call", c.Call.Id, status, $"{c.Call.Attributes.GetValueOrDefault("tool")} by {c.Call.Actor.Agent}: {detail}");
        }).ToList();
        var evidence = _calls.Select(c => new EvidenceRef("audit-event", c.Call.Id, $"tool.call seq {c.Call.Sequence}")).Take(50).ToList();
        var fixes = results.Where(r => r.Status == ControlStatus.Fail).Select(r => $"investigate tool call {r.Id}: it ran without an approval").ToList();
        return clock.Result(this, results, results.Count == 0
            ? "No high-impact tool call in the period."
            : $"{results.Count(r => r.Status == ControlStatus.Pass)} of {results.Count} high-impact tool calls had a matching approval.", evidence, fixes);
    }
}

/// <summary>Every break-glass session had a reason and ended within the configured maximum.</summary>
public sealed class BreakGlassBoundedTest : IControlTest
{
    private readonly Dictionary<string, AuditEventView> _started = new(StringComparer.Ordinal);
    private readonly Dictionary<string, AuditEventView> _ended = new(StringComparer.Ordinal);

    public string Id => "breakglass-bounded";
    public string Title => "Break-glass sessions were reasoned, time-boxed and closed";
    public bool ReadsAuditLog => true;

    public void Observe(AuditEventView e)
    {
        var session = e.Attributes.GetValueOrDefault("breakglass") ?? e.Attributes.GetValueOrDefault("session_id") ?? e.Id;
        if (e.Type == AuditEventTypes.BreakGlassStarted) _started[session] = e;
        else if (e.Type == AuditEventTypes.BreakGlassEnded) _ended[session] = e;
    }

    public ControlTestResult Evaluate(EvidenceInputs inputs, TestClock clock)
    {
        if (inputs.Audit is null) return clock.NotComputable(this, "The audit log was not available to this run.");
        var max = Attest.Core.Config.Durations.TryParse(inputs.Policy.Config.BreakGlass.MaxDuration, out var m) ? m : TimeSpan.FromHours(4);
        var results = new List<ResourceResult>();
        foreach (var (id, s) in _started.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (!_ended.TryGetValue(id, out var end))
            {
                var open = clock.CollectedAt - s.Time;
                results.Add(new ResourceResult("breakglass", id, open > max ? ControlStatus.Fail : ControlStatus.NeedsAttention, open > max ? "no end recorded past the maximum duration" : "still active"));
                continue;
            }
            // The break-glass service refuses a start without a reason (400 reason_required), so a recorded start had one.
            var ok = end.Time - s.Time <= max + TimeSpan.FromMinutes(1);
            results.Add(new ResourceResult("breakglass", id, ok ? ControlStatus.Pass : ControlStatus.Fail,
                ok ? $"{(end.Time - s.Time).TotalMinutes:F0} min within the {max.TotalHours:F0}h maximum" : "longer than the maximum duration"));
        }
        return clock.Result(this, results, results.Count == 0 ? "No break-glass session in the period." : $"{results.Count} break-glass sessions reviewed.",
            _started.Values.Select(e => new EvidenceRef("audit-event", e.Id, "breakglass.started")).ToList());
    }
}
