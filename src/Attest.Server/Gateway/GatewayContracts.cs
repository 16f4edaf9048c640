using Attest.Core.Identity;

namespace Attest.Server.Gateway;

/// <summary>A virtual key as stored: never the key itself, only its keyed hash and a display prefix.</summary>
public sealed record VirtualKey
{
    public required string Id { get; init; }
    public required string Tenant { get; init; }
    public string? Agent { get; init; }
    public string? Principal { get; init; }
    /// <summary>First characters of the key, e.g. <c>atk_3f9a</c>, for display.</summary>
    public required string DisplayPrefix { get; init; }
    /// <summary>Model aliases this key may use; empty means all of the tenant's.</summary>
    public IReadOnlyList<string> Models { get; init; } = [];
    /// <summary><c>chat</c>, <c>embeddings</c>, <c>retrieve</c>, <c>tools</c>, <c>ingest</c>, <c>approve</c>, <c>admin</c>.</summary>
    public IReadOnlyList<string> Scopes { get; init; } = [];
    public int? RequestsPerMinute { get; init; }
    public int? TokensPerMinute { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? ExpiresAt { get; init; }
    public DateTimeOffset? RevokedAt { get; init; }
    public DateTimeOffset? LastUsedAt { get; init; }
    /// <summary>Id of the key this one replaced by rotation.</summary>
    public string? RotatedFrom { get; init; }
}

/// <summary>Why a presented key was refused; maps to 401 or 403 with a stable code.</summary>
public enum KeyFailure { None, Missing, Unknown, Revoked, Expired }

public sealed record KeyAuthentication(VirtualKey? Key, KeyFailure Failure);

/// <summary>Resolves a presented bearer key to its stored record. Revocation is seen on the next call on every replica. Thread-safe.</summary>
public interface IKeyAuthenticator
{
    ValueTask<KeyAuthentication> AuthenticateAsync(string? presentedKey, CancellationToken cancellationToken = default);
}

/// <summary>What a request is expected to consume, reserved before dispatch.</summary>
public sealed record UsageEstimate(string ModelAlias, long Tokens, decimal Cost);

/// <summary>The limit that refused a request: code names it (e.g. <c>rate_limit_rpm_key</c>, <c>budget_tokens_day_tenant</c>).</summary>
public sealed record LimitDenial(string Code, string Message, TimeSpan RetryAfter);

/// <summary>A reservation taken before dispatch; reconcile with actual usage after, or release on failure.</summary>
public interface IUsageReservation : IAsyncDisposable
{
    /// <summary>Replaces the estimate with what was actually used.</summary>
    ValueTask ReconcileAsync(long actualTokens, decimal actualCost, CancellationToken cancellationToken = default);
    /// <summary>Gives the estimate back (request failed before using anything).</summary>
    ValueTask ReleaseAsync(CancellationToken cancellationToken = default);
}

/// <summary>
/// Rate limits and budgets per key, agent and tenant. Holds exactly under concurrency: a request
/// either reserves within every limit or is denied. With Redis configured the counters are shared
/// by all replicas. Thread-safe.
/// </summary>
public interface IUsageLimiter
{
    ValueTask<(IUsageReservation? Reservation, LimitDenial? Denial)> ReserveAsync(RequestIdentity identity, UsageEstimate estimate, CancellationToken cancellationToken = default);
}
