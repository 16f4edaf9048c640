using System.Text.Json.Serialization;

namespace Attest.Evidence.Model;

/// <summary>Status of a control test, in the style of continuous-compliance tools.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ControlStatus>))]
public enum ControlStatus
{
    /// <summary>Every resource passed.</summary>
    Pass,
    /// <summary>At least one resource failed.</summary>
    Fail,
    /// <summary>Nothing failed outright, but something needs a person to look (e.g. an anomaly, missing optional data).</summary>
    NeedsAttention,
    /// <summary>No resource in scope (e.g. no agents declared).</summary>
    NotApplicable,
    /// <summary>The input the test needs was not available, so it neither passes nor fails.</summary>
    NotComputable,
}

/// <summary>The outcome of a test for one resource (a key, an agent, a tool call, …).</summary>
public sealed record ResourceResult(string Kind, string Id, ControlStatus Status, string Detail);

/// <summary>A pointer to the evidence behind a result: audit event ids, a range of the log with its checkpoint, or the config version.</summary>
public sealed record EvidenceRef(string Kind, string Reference, string? Description = null);

/// <summary>What one automated control test found over the period.</summary>
public sealed record ControlTestResult
{
    public required string TestId { get; init; }
    public required string Title { get; init; }
    public required ControlStatus Status { get; init; }
    public required string Summary { get; init; }
    public IReadOnlyList<ResourceResult> Resources { get; init; } = [];
    public IReadOnlyList<EvidenceRef> Evidence { get; init; } = [];
    /// <summary>Concrete remediation for each failure, e.g. "agent billing-bot has no approval rule for tool refund".</summary>
    public IReadOnlyList<string> Remediation { get; init; } = [];
    public required DateTimeOffset CollectedAt { get; init; }
    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>Overall status from per-resource results: any fail fails, any attention needs attention, none is not applicable.</summary>
    public static ControlStatus Aggregate(IReadOnlyCollection<ResourceResult> resources) =>
        resources.Count == 0 ? ControlStatus.NotApplicable
        : resources.Any(r => r.Status == ControlStatus.Fail) ? ControlStatus.Fail
        : resources.Any(r => r.Status == ControlStatus.NeedsAttention) ? ControlStatus.NeedsAttention
        : resources.All(r => r.Status == ControlStatus.NotApplicable) ? ControlStatus.NotApplicable
        : ControlStatus.Pass;
}
