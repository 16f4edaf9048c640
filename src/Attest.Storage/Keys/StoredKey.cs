namespace Attest.Storage.Keys;

/// <summary>
/// A virtual key as the database holds it: the keyed hash (HMAC-SHA256 under the server pepper)
/// and a display prefix, never the key. Times are UTC.
/// </summary>
public sealed record StoredKey
{
    public required string Id { get; init; }
    /// <summary>Lower-case hex HMAC-SHA256 of the key under the pepper.</summary>
    public required string KeyHash { get; init; }
    public required string DisplayPrefix { get; init; }
    public required string Tenant { get; init; }
    public string? Agent { get; init; }
    public string? Principal { get; init; }
    public IReadOnlyList<string> Models { get; init; } = [];
    public IReadOnlyList<string> Scopes { get; init; } = [];
    public int? RequestsPerMinute { get; init; }
    public int? TokensPerMinute { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? ExpiresAt { get; init; }
    public DateTimeOffset? RevokedAt { get; init; }
    public DateTimeOffset? LastUsedAt { get; init; }
    public string? RotatedFrom { get; init; }

    /// <summary>True when the key may be used at <paramref name="now"/>: not revoked and not expired.</summary>
    public bool IsActive(DateTimeOffset now) => RevokedAt is null && (ExpiresAt is null || ExpiresAt > now);
}
