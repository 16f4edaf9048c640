using Attest.Core.Audit;
using Attest.Core.Config;
using Attest.Evidence.Model;

namespace Attest.Evidence.ControlTests;

/// <summary>Every connector has owner, classification, retention and eval cases.</summary>
public sealed class ConnectorsDeclaredTest : IControlTest
{
    private static readonly string[] Classes = ["public", "internal", "confidential", "restricted"];
    public string Id => "connectors-declared";
    public string Title => "Every connector has an owner, a classification, a retention and eval cases";

    public ControlTestResult Evaluate(EvidenceInputs inputs, TestClock clock)
    {
        var fixes = new List<string>();
        var results = inputs.Policy.Config.Connectors.Select(c =>
        {
            var missing = new List<string>();
            if (string.IsNullOrWhiteSpace(c.Owner)) missing.Add("owner");
            if (c.Classification is null || !Classes.Contains(c.Classification)) missing.Add("classification");
            if (!Durations.TryParse(c.Retention, out _)) missing.Add("retention");
            if (c.EvalCases.Count == 0) missing.Add("eval cases");
            if (missing.Count > 0) fixes.Add($"connector {c.Id} has no {string.Join(", ", missing)}");
            return new ResourceResult("connector", c.Id, missing.Count == 0 ? ControlStatus.Pass : ControlStatus.Fail,
                missing.Count == 0 ? $"owner {c.Owner}, {c.Classification}, keep {c.Retention}, {c.EvalCases.Count} eval cases" : "missing " + string.Join(", ", missing));
        }).ToList();
        return clock.Result(this, results, $"{results.Count(r => r.Status == ControlStatus.Pass)} of {results.Count} connectors fully declared.",
            [new EvidenceRef("config", inputs.Policy.ContentHash, "connectors section")], fixes);
    }
}

/// <summary>Retrieval stayed inside the caller's tenant: every query ran in its key's tenant, and refusals were recorded.</summary>
public sealed class RetrievalIsolationTest : IControlTest
{
    private readonly List<(string Id, string Tenant, string? Key)> _queries = [];
    private long _denied;
    public string Id => "retrieval-isolation";
    public string Title => "Retrieval returns only what the caller may see, inside its tenant";
    public bool ReadsAuditLog => true;

    public void Observe(AuditEventView e)
    {
        if (e.Type == AuditEventTypes.RetrievalQuery) _queries.Add((e.Id, e.Tenant, e.Actor.KeyId));
        else if (e.Type == AuditEventTypes.RetrievalDenied) _denied++;
    }

    public ControlTestResult Evaluate(EvidenceInputs inputs, TestClock clock)
    {
        if (inputs.Audit is null) return clock.NotComputable(this, "The audit log was not available to this run.");
        if (inputs.Policy.Config.Connectors.Count == 0 && _queries.Count == 0) return clock.Result(this, [], "No connector and no retrieval in the period.");
        var keyTenant = inputs.Keys?.ToDictionary(k => k.Id, k => k.Tenant, StringComparer.Ordinal);
        var mismatches = keyTenant is null ? [] : _queries.Where(q => q.Key is not null && keyTenant.TryGetValue(q.Key, out var t) && t != q.Tenant).ToList();
        var results = new List<ResourceResult>
        {
            new("retrieval", "tenant-binding", mismatches.Count == 0 ? (keyTenant is null ? ControlStatus.NeedsAttention : ControlStatus.Pass) : ControlStatus.Fail,
                keyTenant is null ? $"{_queries.Count} queries; key store unavailable to cross-check tenants" : $"{_queries.Count} queries, {mismatches.Count} outside their key's tenant"),
            new("retrieval", "denials-recorded", ControlStatus.Pass, $"{_denied} refused retrievals recorded"),
        };
        return clock.Result(this, results, $"{_queries.Count} retrievals and {_denied} refusals in the period.",
            [.. mismatches.Concat(_queries.Take(10)).Select(q => new EvidenceRef("audit-event", q.Id, "retrieval.query"))],
            mismatches.Select(m => $"retrieval {m.Id} ran outside its key's tenant: investigate as a cross-tenant incident").ToList());
    }
}

/// <summary>Key material exists outside the database, and providers are reached over TLS (or on this host).</summary>
public sealed class EncryptionTest : IControlTest
{
    public string Id => "encryption";
    public string Title => "Data is encrypted at rest with keys outside the database, and in transit";

    public ControlTestResult Evaluate(EvidenceInputs inputs, TestClock clock)
    {
        var results = inputs.KeyFiles.Select(f => new ResourceResult("key-file", Path.GetFileName(f), File.Exists(f) ? ControlStatus.Pass : ControlStatus.NeedsAttention,
            File.Exists(f) ? "present outside the database" : "not created yet")).ToList();
        foreach (var p in inputs.Policy.Config.Providers.Where(p => p.Type != "offline"))
        {
            var url = p.BaseUrl ?? (p.Type == "anthropic" ? "https://api.anthropic.com" : "https://api.openai.com");
            var ok = Uri.TryCreate(url, UriKind.Absolute, out var u) && (u.Scheme == Uri.UriSchemeHttps || u.IsLoopback);
            results.Add(new ResourceResult("provider", p.Id, ok ? ControlStatus.Pass : ControlStatus.Fail, ok ? $"{u!.Scheme}://{u.Host}" : "plain HTTP to a remote host"));
        }
        return clock.Result(this, results, "Encryption at rest and in transit reviewed.", [new EvidenceRef("config", inputs.Policy.ContentHash, "providers and audit key references")],
            results.Where(r => r.Status == ControlStatus.Fail).Select(r => $"provider {r.Id}: use an https base URL").ToList());
    }
}

/// <summary>Retention is declared per data class, purges ran within the period, and deletion requests were honoured.</summary>
public sealed class RetentionAndDeletionTest : IControlTest
{
    private readonly List<AuditEventView> _purges = [];
    private readonly List<AuditEventView> _forgotten = [];
    public string Id => "retention-and-deletion";
    public string Title => "Retention purges ran on schedule and subjects can be forgotten";
    public bool ReadsAuditLog => true;

    public void Observe(AuditEventView e)
    {
        if (e.Type == AuditEventTypes.RetentionPurged) _purges.Add(e);
        else if (e.Type == AuditEventTypes.SubjectForgotten) _forgotten.Add(e);
    }

    public ControlTestResult Evaluate(EvidenceInputs inputs, TestClock clock)
    {
        var results = inputs.Policy.Config.Retention.Select(r => new ResourceResult("retention", r.DataClass,
            Durations.TryParse(r.Keep, out _) ? ControlStatus.Pass : ControlStatus.Fail, $"keep {r.Keep}")).ToList();
        if (results.Count == 0) results.Add(new ResourceResult("retention", "declared", ControlStatus.Fail, "no retention per data class is declared"));
        if (inputs.Audit is null) return clock.Result(this, results, "Retention config checked; purge history not checked (no audit log).", status: ControlStatus.NotComputable);
        var period = inputs.PeriodEnd - inputs.PeriodStart;
        var purgeStatus = _purges.Count > 0 ? ControlStatus.Pass : period >= TimeSpan.FromDays(7) ? ControlStatus.Fail : ControlStatus.NeedsAttention;
        results.Add(new ResourceResult("purge-schedule", "retention.purged", purgeStatus, $"{_purges.Count} purges in a {period.TotalDays:F0}-day period"));
        results.Add(new ResourceResult("deletion", "subject.forgotten", ControlStatus.Pass, $"{_forgotten.Count} subjects forgotten by crypto-shredding"));
        var fixes = new List<string>();
        if (purgeStatus != ControlStatus.Pass) fixes.Add("schedule `attest audit purge` daily (cron or the server's purge timer)");
        if (inputs.Policy.Config.Retention.Count == 0) fixes.Add("declare retention per data class in attest.yaml (e.g. prompts 30d, approvals 7y)");
        return clock.Result(this, results, "Retention and deletion reviewed.",
            [.. _purges.Concat(_forgotten).Take(20).Select(e => new EvidenceRef("audit-event", e.Id, e.Type))], fixes);
    }
}

/// <summary>Agent service accounts in Kubernetes hold no privilege beyond their domain (from the RBAC scan).</summary>
public sealed class K8sLeastPrivilegeTest : IControlTest
{
    public string Id => "k8s-least-privilege";
    public string Title => "Agent service accounts are least-privilege in Kubernetes";

    public ControlTestResult Evaluate(EvidenceInputs inputs, TestClock clock)
    {
        if (inputs.Posture is null) return clock.NotComputable(this, "No Kubernetes RBAC scan was supplied (attest report --k8s PATH).");
        var results = inputs.Posture.Select(f => new ResourceResult("finding", $"{f.RuleId} {f.Subject}",
            f.Severity is "critical" or "high" ? ControlStatus.Fail : ControlStatus.NeedsAttention, f.Message + (f.Location is null ? "" : $" ({f.Location})"))).ToList();
        if (results.Count == 0) results.Add(new ResourceResult("scan", "rbac", ControlStatus.Pass, "no finding"));
        return clock.Result(this, results, $"{inputs.Posture.Count} RBAC findings.", [],
            inputs.Posture.Where(f => f.Severity is "critical" or "high").Select(f => $"{f.Subject}: {f.Message}").Distinct().ToList());
    }
}
