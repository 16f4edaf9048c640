using Attest.Core.Audit;
using Attest.Evidence.Model;

namespace Attest.Evidence.ControlTests;

/// <summary>The PII guard redacts (or blocks) input on every route that may send confidential data to an external provider.</summary>
public sealed class PiiGuardExternalTest : IControlTest
{
    private static readonly string[] Ranks = ["public", "internal", "confidential", "restricted"];
    public string Id => "pii-guard-external";
    public string Title => "PII is redacted before confidential data reaches an external provider";

    public ControlTestResult Evaluate(EvidenceInputs inputs, TestClock clock)
    {
        var p = inputs.Policy;
        var results = new List<ResourceResult>();
        var external = p.Config.Providers.Where(x => x.Type != "offline").ToList();
        foreach (var provider in external)
        {
            var routes = p.Config.Models.Where(m => m.Targets.Any(t => t.Provider == provider.Id)).Select(m => m.Alias).ToList();
            if (routes.Count == 0) continue;
            var ceiling = Array.IndexOf(Ranks, provider.MaxClassification);
            foreach (var tenant in GuardPolicyView.TenantIds(p))
            {
                var action = GuardPolicyView.Effective(p, tenant, "input", "pii");
                var sendsConfidential = ceiling >= 2;
                var ok = GuardPolicyView.AtLeast(action, "redact");
                results.Add(new ResourceResult("route", $"{tenant} -> {provider.Id} ({string.Join(",", routes)})",
                    ok ? ControlStatus.Pass : sendsConfidential ? ControlStatus.Fail : ControlStatus.NeedsAttention,
                    $"input PII action '{action}', provider accepts up to {provider.MaxClassification}"));
            }
        }
        return clock.Result(this, results, external.Count == 0 ? "No external provider is configured." : $"{results.Count} tenant-to-provider routes checked.",
            [new EvidenceRef("config", p.ContentHash, "guards and providers sections")],
            results.Where(r => r.Status != ControlStatus.Pass).Select(r => $"route {r.Id}: set guards input.pii to redact or block").ToList());
    }
}

/// <summary>Injection is blocked in input and retrieved content for every tenant, and detections are recorded.</summary>
public sealed class InjectionMonitoredTest : IControlTest
{
    private long _findings;
    private readonly List<string> _ids = [];
    public string Id => "injection-monitored";
    public string Title => "Prompt injection is blocked directly and indirectly, and detections are monitored";
    public bool ReadsAuditLog => true;

    public void Observe(AuditEventView e)
    {
        if (e.Type is not (AuditEventTypes.GuardFinding or AuditEventTypes.ChatDenied or AuditEventTypes.RetrievalDenied or AuditEventTypes.ToolDenied)) return;
        if (!e.Reasons.Any(r => r.Contains("injection", StringComparison.OrdinalIgnoreCase)) &&
            !(e.Attributes.TryGetValue("types", out var t) && t.Contains("injection", StringComparison.Ordinal))) return;
        _findings++;
        if (_ids.Count < 20) _ids.Add(e.Id);
    }

    public ControlTestResult Evaluate(EvidenceInputs inputs, TestClock clock)
    {
        var results = new List<ResourceResult>();
        foreach (var tenant in GuardPolicyView.TenantIds(inputs.Policy))
            foreach (var dir in new[] { "input", "retrieved", "tool" })
            {
                var a = GuardPolicyView.Effective(inputs.Policy, tenant, dir, "injection");
                results.Add(new ResourceResult("guard-route", $"{tenant}/{dir}", a == "block" ? ControlStatus.Pass : ControlStatus.Fail, $"injection action '{a}'"));
            }
        var evidence = new List<EvidenceRef> { new("config", inputs.Policy.ContentHash, "guards section") };
        evidence.AddRange(_ids.Select(i => new EvidenceRef("audit-event", i, "injection detection")));
        var summary = inputs.Audit is null ? "Policy checked; detections not counted (no audit log)." : $"{_findings} injection detections recorded in the period.";
        return clock.Result(this, results, summary, evidence,
            results.Where(r => r.Status == ControlStatus.Fail).Select(r => $"{r.Id}: set injection to block").ToList());
    }
}

/// <summary>Secrets and canary tokens are blocked in output and tool arguments; every tenant has a canary.</summary>
public sealed class LeakGuardsTest : IControlTest
{
    public string Id => "leak-guards";
    public string Title => "Credential and system-prompt leaks are blocked in output";

    public ControlTestResult Evaluate(EvidenceInputs inputs, TestClock clock)
    {
        var results = new List<ResourceResult>();
        foreach (var tenant in GuardPolicyView.TenantIds(inputs.Policy))
        {
            var secret = GuardPolicyView.Effective(inputs.Policy, tenant, "output", "secret");
            var canary = GuardPolicyView.Effective(inputs.Policy, tenant, "output", "canary");
            results.Add(new ResourceResult("tenant", tenant, secret == "block" && canary == "block" ? ControlStatus.Pass : ControlStatus.Fail,
                $"output secret '{secret}', canary '{canary}'"));
            if (inputs.Policy.Tenants.TryGetValue(tenant, out var t) && t.Canaries.Count == 0)
                results.Add(new ResourceResult("canary", tenant, ControlStatus.NeedsAttention, "no canary token declared for system prompts"));
        }
        return clock.Result(this, results, "Leak guards reviewed per tenant.", [new EvidenceRef("config", inputs.Policy.ContentHash, "guards and tenants")],
            results.Where(r => r.Status != ControlStatus.Pass).Select(r => r.Kind == "canary" ? $"tenant {r.Id}: add a canary token" : $"tenant {r.Id}: block secrets and canaries in output").ToList());
    }
}

/// <summary>Every tool that agents may call has an argument schema, so arguments are validated before they act.</summary>
public sealed class OutputValidationTest : IControlTest
{
    public string Id => "output-validation";
    public string Title => "Structured outputs and tool arguments are schema-validated";

    public ControlTestResult Evaluate(EvidenceInputs inputs, TestClock clock)
    {
        var used = inputs.Policy.Config.Agents.SelectMany(a => a.Tools.Select(t => t.Tool)).ToHashSet(StringComparer.Ordinal);
        var results = inputs.Policy.Config.Tools.Where(t => used.Contains(t.Id)).Select(t =>
            new ResourceResult("tool", t.Id, t.ArgumentsSchema is null ? ControlStatus.Fail : ControlStatus.Pass,
                t.ArgumentsSchema is null ? "no argument schema" : "argument schema declared")).ToList();
        foreach (var g in inputs.Policy.Config.Guards.Where(g => g.OutputSchema is not null))
            results.Add(new ResourceResult("guard-policy", g.Id, ControlStatus.Pass, $"output schema, on failure {g.OnSchemaFailure}"));
        foreach (var a in inputs.Policy.Config.Agents.Where(a => a.CanMessage.Count > 0))
            foreach (var to in a.CanMessage)
            {
                var hasSchema = inputs.Policy.Agents.TryGetValue(to, out var target) && target.MessageSchema is not null;
                results.Add(new ResourceResult("agent-channel", $"{a.Id}->{to}", hasSchema ? ControlStatus.Pass : ControlStatus.Fail,
                    hasSchema ? "messages validated against the receiver's schema" : "receiver declares no message schema"));
            }
        return clock.Result(this, results, $"{results.Count} validation points reviewed.", [new EvidenceRef("config", inputs.Policy.ContentHash, "tools and agents")],
            results.Where(r => r.Status == ControlStatus.Fail).Select(r => $"{r.Kind} {r.Id}: declare a JSON Schema").ToList());
    }
}
