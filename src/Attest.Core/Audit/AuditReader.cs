namespace Attest.Core.Audit;

/// <summary>A stored audit event as readers (evidence, console, CLI) see it: the clear skeleton, not the encrypted payload.</summary>
public sealed record AuditEventView
{
    public required string Id { get; init; }
    public required long Sequence { get; init; }
    public required DateTimeOffset Time { get; init; }
    public required string Type { get; init; }
    public required string Tenant { get; init; }
    public AuditActor Actor { get; init; } = new();
    public string? Subject { get; init; }
    public string DataClass { get; init; } = "events";
    public AuditModel? Model { get; init; }
    public string? Decision { get; init; }
    public IReadOnlyList<string> Reasons { get; init; } = [];
    public int? InputTokens { get; init; }
    public int? OutputTokens { get; init; }
    public double? LatencyMs { get; init; }
    public IReadOnlyDictionary<string, string> Digests { get; init; } = new Dictionary<string, string>();
    public IReadOnlyDictionary<string, string> Attributes { get; init; } = new Dictionary<string, string>();
}

public sealed record AuditQuery
{
    public string? Tenant { get; init; }
    /// <summary>Exact type, or a prefix ending in <c>.</c> (e.g. <c>approval.</c>).</summary>
    public string? Type { get; init; }
    public string? Actor { get; init; }
    public DateTimeOffset? From { get; init; }
    public DateTimeOffset? To { get; init; }
    public long? AfterSequence { get; init; }
    public int? Limit { get; init; }
}

/// <summary>Reads the audit log's clear skeleton. Thread-safe.</summary>
public interface IAuditReader
{
    IAsyncEnumerable<AuditEventView> QueryAsync(AuditQuery query, CancellationToken cancellationToken = default);
}
