namespace Attest.Agents.Approvals;

/// <summary>States of an approval. <c>Used</c> is a separate flag: a granted approval is consumed once.</summary>
public static class ApprovalStates
{
    public const string Pending = "pending";
    public const string Granted = "granted";
    public const string Denied = "denied";
    public const string Expired = "expired";
}

/// <summary>A request for a human decision on one tool call, bound to exactly these arguments.</summary>
public sealed record Approval
{
    public required string Id { get; init; }
    public required string Tenant { get; init; }
    public required string Agent { get; init; }
    public required string Tool { get; init; }
    /// <summary>SHA-256 (hex) of the canonical JSON arguments.</summary>
    public required string ArgsHash { get; init; }
    public string? RequesterKey { get; init; }
    public string? RequesterPrincipal { get; init; }
    public required string State { get; init; }
    public bool Used { get; init; }
    public string? Approver { get; init; }
    public string? ApproverKey { get; init; }
    public string? Reason { get; init; }
    /// <summary>Why approval was needed (rule id), for the approver.</summary>
    public string? Rule { get; init; }
    /// <summary>Canonical arguments shown to the approver (already passed the argument guards).</summary>
    public string? Arguments { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset ExpiresAt { get; init; }
    public DateTimeOffset? DecidedAt { get; init; }
    public DateTimeOffset? UsedAt { get; init; }
}

/// <summary>Shared approvals state (one database for every replica). Every transition is one atomic conditional update. Thread-safe.</summary>
public interface IApprovalStore
{
    Task CreateAsync(Approval approval, CancellationToken cancellationToken = default);
    Task<Approval?> GetAsync(string id, CancellationToken cancellationToken = default);
    /// <summary>Approvals in a state (null: all), newest first.</summary>
    Task<IReadOnlyList<Approval>> ListAsync(string? state, int limit, CancellationToken cancellationToken = default);
    /// <summary>pending -&gt; granted|denied when still pending and unexpired at <paramref name="now"/>. False when it was not.</summary>
    Task<bool> DecideAsync(string id, string state, string approver, string? approverKey, string reason, DateTimeOffset now, CancellationToken cancellationToken = default);
    /// <summary>Marks a granted, unused, unexpired approval for exactly (agent, tool, hash, requester) used. False when any condition fails (another caller won, or it does not match).</summary>
    Task<bool> ConsumeAsync(string id, string agent, string tool, string argsHash, string? requesterKey, DateTimeOffset now, CancellationToken cancellationToken = default);
    /// <summary>The newest live (pending or granted, unused, unexpired) approval for exactly this call and requester.</summary>
    Task<Approval?> FindLiveAsync(string agent, string tool, string argsHash, string? requesterKey, DateTimeOffset now, CancellationToken cancellationToken = default);
    /// <summary>Moves pending or granted-but-unused approvals past their expiry to expired; returns them.</summary>
    Task<IReadOnlyList<Approval>> ExpireDueAsync(DateTimeOffset now, CancellationToken cancellationToken = default);
}
