using System.Text.Json.Nodes;

namespace Attest.Core.Audit;

/// <summary>
/// What a capability hands to the audit log. The audit log assigns id, time, sequence and hashes,
/// encrypts <see cref="Payload"/> under the data subject's key and acknowledges only once durable.
/// </summary>
public sealed record AuditRecord
{
    /// <summary>Event type, e.g. <c>chat.request</c>; see <see cref="AuditEventTypes"/>.</summary>
    public required string Type { get; init; }
    public required string Tenant { get; init; }
    public AuditActor Actor { get; init; } = new();
    /// <summary>Data subject whose key encrypts the payload (end user, or the tenant).</summary>
    public string? Subject { get; init; }
    /// <summary>Data class for retention, e.g. <c>prompts</c>, <c>approvals</c>.</summary>
    public string DataClass { get; init; } = "events";
    public AuditModel? Model { get; init; }
    /// <summary><c>allow</c>, <c>flag</c>, <c>redact</c>, <c>block</c>, <c>deny</c>, <c>error</c> or null.</summary>
    public string? Decision { get; init; }
    /// <summary>Policy and rule ids behind the decision.</summary>
    public IReadOnlyList<string> Reasons { get; init; } = [];
    public int? InputTokens { get; init; }
    public int? OutputTokens { get; init; }
    public double? LatencyMs { get; init; }
    /// <summary>SHA-256 digests (hex) of content, by name (e.g. <c>prompt</c>, <c>response</c>).</summary>
    public IReadOnlyDictionary<string, string> Digests { get; init; } = new Dictionary<string, string>();
    /// <summary>Non-sensitive, searchable attributes (ids, counts). Never content.</summary>
    public IReadOnlyDictionary<string, string> Attributes { get; init; } = new Dictionary<string, string>();
    /// <summary>Content after redaction; stored encrypted.</summary>
    public JsonNode? Payload { get; init; }
}

public sealed record AuditActor
{
    public string? KeyId { get; init; }
    public string? Principal { get; init; }
    public string? Agent { get; init; }
    public string? EndUser { get; init; }
    public string? Admin { get; init; }
}

public sealed record AuditModel(string Alias, string Version, string Provider);

/// <summary>
/// The one audit API every capability writes through. Implementations acknowledge only once the
/// event is durable and throw on failure, so callers fail closed. Thread-safe.
/// </summary>
public interface IAuditLog
{
    /// <summary>Appends and returns the event's id once durable.</summary>
    ValueTask<string> AppendAsync(AuditRecord record, CancellationToken cancellationToken = default);

    /// <summary>
    /// Appends several records in order and returns their ids once all are durable. A log that commits
    /// in groups (<c>AuditLog</c>) puts them in ONE durable commit: all are stored, consecutively, or
    /// none is. This default appends them one after another (so a failure may leave the first ones stored).
    /// </summary>
    async ValueTask<IReadOnlyList<string>> AppendManyAsync(IReadOnlyList<AuditRecord> records, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        var ids = new string[records.Count];
        for (var i = 0; i < ids.Length; i++) ids[i] = await AppendAsync(records[i], cancellationToken);
        return ids;
    }
}

/// <summary>An audit log that records nothing, for tools that run without storage (e.g. <c>attest scan</c>).</summary>
public sealed class NullAuditLog : IAuditLog
{
    public static readonly NullAuditLog Instance = new();
    public ValueTask<string> AppendAsync(AuditRecord record, CancellationToken cancellationToken = default) => ValueTask.FromResult("");
}

/// <summary>Event type names. Versioned with the event model in docs/audit-events.md.</summary>
public static class AuditEventTypes
{
    public const string ChatRequest = "chat.request";
    public const string ChatResponse = "chat.response";
    public const string ChatDenied = "chat.denied";
    public const string EmbeddingsRequest = "embeddings.request";
    public const string RetrievalQuery = "retrieval.query";
    public const string RetrievalDenied = "retrieval.denied";
    public const string DocumentIngested = "document.ingested";
    public const string DocumentDeleted = "document.deleted";
    public const string AclChanged = "acl.changed";
    public const string ToolCall = "tool.call";
    public const string ToolResult = "tool.result";
    public const string ToolDenied = "tool.denied";
    public const string AgentMessage = "agent.message";
    public const string ApprovalRequested = "approval.requested";
    public const string ApprovalGranted = "approval.granted";
    public const string ApprovalDenied = "approval.denied";
    public const string ApprovalExpired = "approval.expired";
    public const string ApprovalUsed = "approval.used";
    public const string PolicyDecision = "policy.decision";
    public const string GuardFinding = "guard.finding";
    public const string ConfigApplied = "config.applied";
    public const string ConfigRejected = "config.rejected";
    public const string KeyCreated = "key.created";
    public const string KeyRotated = "key.rotated";
    public const string KeyRevoked = "key.revoked";
    public const string BreakGlassStarted = "breakglass.started";
    public const string BreakGlassEnded = "breakglass.ended";
    public const string Export = "export";
    public const string SubjectForgotten = "subject.forgotten";
    public const string RetentionPurged = "retention.purged";
    public const string LimitExceeded = "limit.exceeded";
}
