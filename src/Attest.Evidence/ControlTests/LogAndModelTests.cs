using Attest.Core.Audit;
using Attest.Evidence.Model;

namespace Attest.Evidence.ControlTests;

/// <summary>The audit log verifies end to end and its checkpoints are continuous.</summary>
public sealed class AuditLogVerifiesTest : IControlTest
{
    public string Id => "audit-log-verifies";
    public string Title => "The audit log verifies and its signed checkpoints are continuous";

    public ControlTestResult Evaluate(EvidenceInputs inputs, TestClock clock)
    {
        if (inputs.Integrity is not { } i) return clock.NotComputable(this, "The audit log was not verified in this run.");
        var results = new List<ResourceResult>
        {
            new("audit-log", "entries", i.Verified ? ControlStatus.Pass : ControlStatus.Fail,
                i.Verified ? $"{i.Entries} entries verified (hashes, chain, tree)" : $"verification failed at index {i.FirstBadIndex}: {i.Problem}"),
            new("audit-log", "checkpoints", i.Checkpoints == 0 ? ControlStatus.NeedsAttention : i.CheckpointsContinuous ? ControlStatus.Pass : ControlStatus.Fail,
                i.Checkpoints == 0 ? "no signed checkpoint yet" : i.CheckpointsContinuous ? $"{i.Checkpoints} signed checkpoints, consistent" : "checkpoints are not continuous"),
        };
        var evidence = new List<EvidenceRef>();
        if (i.LatestCheckpoint is not null) evidence.Add(new EvidenceRef("checkpoint", $"entries 0..{i.LatestCheckpointSize - 1}", i.LatestCheckpoint));
        var fixes = i.Verified ? new List<string>() : [$"the audit log fails verification at index {i.FirstBadIndex} ({i.Problem}): treat as a security incident, restore from backup and compare"];
        return clock.Result(this, results, i.Verified ? $"Log of {i.Entries} entries verifies." : "Log verification FAILED.", evidence, fixes);
    }
}

/// <summary>No unpinned model is configured, and every response in the period came from a pinned version of its alias.</summary>
public sealed class ModelsPinnedTest : IControlTest
{
    private readonly Dictionary<(string Alias, string Version, string Provider), (long Count, string FirstId)> _answered = [];

    public string Id => "models-pinned";
    public string Title => "Only pinned model versions answered";
    public bool ReadsAuditLog => true;

    public void Observe(AuditEventView e)
    {
        if (e.Type != AuditEventTypes.ChatResponse || e.Model is null) return;
        var k = (e.Model.Alias, e.Model.Version, e.Model.Provider);
        _answered[k] = _answered.TryGetValue(k, out var v) ? (v.Count + 1, v.FirstId) : (1, e.Id);
    }

    public static bool IsPinned(string version) =>
        !string.IsNullOrWhiteSpace(version) && !version.Contains("latest", StringComparison.OrdinalIgnoreCase) && version.Any(char.IsAsciiDigit);

    public ControlTestResult Evaluate(EvidenceInputs inputs, TestClock clock)
    {
        var results = new List<ResourceResult>();
        foreach (var m in inputs.Policy.Config.Models)
            foreach (var t in m.Targets)
                results.Add(new ResourceResult("model-target", $"{m.Alias}->{t.Provider}/{t.Model}", IsPinned(t.Model) ? ControlStatus.Pass : ControlStatus.Fail,
                    IsPinned(t.Model) ? "pinned" : "not pinned to an exact version"));
        if (inputs.Audit is not null)
        {
            foreach (var ((alias, version, provider), (count, first)) in _answered.OrderBy(p => p.Key.Alias, StringComparer.Ordinal))
            {
                var declared = inputs.Policy.Models.TryGetValue(alias, out var m) && m.Targets.Any(t => t.Model == version && t.Provider == provider);
                var ok = declared && IsPinned(version);
                results.Add(new ResourceResult("answered", $"{alias}@{version} via {provider}", ok ? ControlStatus.Pass : ControlStatus.Fail,
                    $"{count} responses{(ok ? "" : " from a version not pinned in the current config")} (first {first})"));
            }
        }
        var fixes = results.Where(r => r.Status == ControlStatus.Fail).Select(r => $"pin {r.Id} to an exact, dated model version").ToList();
        return clock.Result(this, results, inputs.Audit is null ? "Config checked; responses not checked (no audit log)." : $"{_answered.Values.Sum(v => v.Count)} responses checked against pinned versions.",
            [new EvidenceRef("config", inputs.Policy.ContentHash, "models section")], fixes,
            inputs.Audit is null && results.All(r => r.Status == ControlStatus.Pass) && results.Count > 0 ? ControlStatus.NeedsAttention : null);
    }
}

/// <summary>Every production model alias has a fallback target on another provider.</summary>
public sealed class ProductionFallbackTest : IControlTest
{
    public string Id => "production-fallback";
    public string Title => "Every production model has a fallback on another provider";

    public ControlTestResult Evaluate(EvidenceInputs inputs, TestClock clock)
    {
        var results = inputs.Policy.Config.Models.Where(m => m.Production).Select(m =>
        {
            var providers = m.Targets.Select(t => t.Provider).Distinct(StringComparer.Ordinal).Count();
            return new ResourceResult("model", m.Alias, providers >= 2 ? ControlStatus.Pass : ControlStatus.Fail,
                providers >= 2 ? $"{m.Targets.Count} targets on {providers} providers" : "a single provider: an outage stops this model");
        }).ToList();
        return clock.Result(this, results, results.Count == 0 ? "No model is marked production." : $"{results.Count(r => r.Status == ControlStatus.Pass)} of {results.Count} production models have a fallback.",
            [new EvidenceRef("config", inputs.Policy.ContentHash, "models section")],
            results.Where(r => r.Status == ControlStatus.Fail).Select(r => $"model {r.Id}: add a second target on another provider").ToList());
    }
}

/// <summary>Providers are registered subprocessors: legal entity, data location and a data-class ceiling.</summary>
public sealed class ProvidersRegisteredTest : IControlTest
{
    public string Id => "providers-registered";
    public string Title => "Every model provider is a registered subprocessor with a data ceiling";

    public ControlTestResult Evaluate(EvidenceInputs inputs, TestClock clock)
    {
        var results = inputs.Policy.Config.Providers.Select(p =>
        {
            var missing = new List<string>();
            if (string.IsNullOrWhiteSpace(p.Subprocessor)) missing.Add("subprocessor");
            if (string.IsNullOrWhiteSpace(p.DataLocation)) missing.Add("dataLocation");
            return new ResourceResult("provider", p.Id, missing.Count == 0 ? ControlStatus.Pass : ControlStatus.Fail,
                missing.Count == 0 ? $"{p.Subprocessor}, {p.DataLocation}, up to {p.MaxClassification}" : "missing " + string.Join(", ", missing));
        }).ToList();
        return clock.Result(this, results, $"{results.Count} providers in the subprocessors register.",
            [new EvidenceRef("config", inputs.Policy.ContentHash, "providers section")],
            results.Where(r => r.Status == ControlStatus.Fail).Select(r => $"provider {r.Id}: declare {r.Detail.Replace("missing ", "", StringComparison.Ordinal)}").ToList());
    }
}

/// <summary>Config changes are versioned: versions were recorded, and production requires two approvals.</summary>
public sealed class ConfigVersionedTest : IControlTest
{
    private readonly List<AuditEventView> _applied = [];
    public string Id => "config-versioned";
    public string Title => "Policy, prompt and agent changes are versioned and recorded";
    public bool ReadsAuditLog => true;

    public void Observe(AuditEventView e)
    {
        if (e.Type == AuditEventTypes.ConfigApplied) _applied.Add(e);
    }

    public ControlTestResult Evaluate(EvidenceInputs inputs, TestClock clock)
    {
        var results = new List<ResourceResult>();
        if (inputs.ConfigVersions is { } versions)
            results.Add(new ResourceResult("config-history", "versions", versions.Count > 0 ? ControlStatus.Pass : ControlStatus.Fail,
                $"{versions.Count} versions stored; current {inputs.Policy.ContentHash[..12]}"));
        else if (inputs.Audit is not null)
            results.Add(new ResourceResult("config-history", "config.applied", _applied.Count > 0 ? ControlStatus.Pass : ControlStatus.NeedsAttention,
                $"{_applied.Count} config.applied events in the period"));
        foreach (var env in inputs.Policy.Config.Environments.Where(e => e.Production))
            results.Add(new ResourceResult("environment", env.Id, env.RequiredApprovals >= 2 ? ControlStatus.Pass : ControlStatus.Fail,
                $"{env.RequiredApprovals} approvals required for changes"));
        if (results.Count == 0) return clock.NotComputable(this, "Neither the config history nor the audit log was available.");
        return clock.Result(this, results, "Change management of attest.yaml reviewed.",
            [new EvidenceRef("config", inputs.Policy.ContentHash, "current version"), .. _applied.Take(20).Select(e => new EvidenceRef("audit-event", e.Id, "config.applied"))],
            results.Where(r => r.Status == ControlStatus.Fail).Select(r => r.Kind == "environment" ? $"environment {r.Id}: require two approvals for production changes" : "store config versions (run attest serve with storage)").ToList());
    }
}
