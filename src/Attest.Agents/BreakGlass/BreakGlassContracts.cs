namespace Attest.Agents.BreakGlass;

/// <summary>A time-boxed emergency session: while active, calls of agents in scope pass the approval gate, and each is recorded as such.</summary>
public sealed record BreakGlassSession
{
    public required string Id { get; init; }
    public required string Tenant { get; init; }
    /// <summary>Admin principal who started it.</summary>
    public required string Principal { get; init; }
    public required string Reason { get; init; }
    /// <summary>Agent in scope; null means every agent of the tenant.</summary>
    public string? Agent { get; init; }
    public required DateTimeOffset StartedAt { get; init; }
    public required DateTimeOffset ExpiresAt { get; init; }
    public DateTimeOffset? EndedAt { get; init; }
    /// <summary><c>ended</c> (by an admin) or <c>expired</c>.</summary>
    public string? EndReason { get; init; }
    public string? EndedBy { get; init; }

    public bool IsActiveAt(DateTimeOffset now) => EndedAt is null && now < ExpiresAt;
}

/// <summary>Shared break-glass state. Thread-safe.</summary>
public interface IBreakGlassStore
{
    Task CreateAsync(BreakGlassSession session, CancellationToken cancellationToken = default);
    /// <summary>Sessions not yet marked ended (they may be past expiry).</summary>
    Task<IReadOnlyList<BreakGlassSession>> OpenAsync(CancellationToken cancellationToken = default);
    Task<BreakGlassSession?> GetAsync(string id, CancellationToken cancellationToken = default);
    /// <summary>Marks the session ended if it was open; false when another caller already ended it.</summary>
    Task<bool> EndAsync(string id, DateTimeOffset at, string endReason, string? endedBy, CancellationToken cancellationToken = default);
}

/// <summary>Where break-glass alerts go (a webhook by default). Implementations throw on delivery failure so it is recorded.</summary>
public interface IBreakGlassAlertSink
{
    Task SendAsync(string eventType, BreakGlassSession session, CancellationToken cancellationToken = default);
}
