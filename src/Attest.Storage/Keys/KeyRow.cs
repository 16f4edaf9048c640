namespace Attest.Storage.Keys;

/// <summary>Row shape of <c>attest_keys</c>: lists comma-joined, times as Unix milliseconds (same on both dialects). Columns are aliased to these names in SELECTs.</summary>
internal sealed class KeyRow
{
    public string Id { get; set; } = "";
    public string KeyHash { get; set; } = "";
    public string DisplayPrefix { get; set; } = "";
    public string Tenant { get; set; } = "";
    public string? Agent { get; set; }
    public string? Principal { get; set; }
    public string Models { get; set; } = "";
    public string Scopes { get; set; } = "";
    public long? Rpm { get; set; }
    public long? Tpm { get; set; }
    public long CreatedAt { get; set; }
    public long? ExpiresAt { get; set; }
    public long? RevokedAt { get; set; }
    public long? LastUsedAt { get; set; }
    public string? RotatedFrom { get; set; }

    public StoredKey ToKey() => new()
    {
        Id = Id, KeyHash = KeyHash, DisplayPrefix = DisplayPrefix, Tenant = Tenant, Agent = Agent, Principal = Principal,
        Models = Split(Models), Scopes = Split(Scopes),
        RequestsPerMinute = Rpm is { } r ? (int)r : null, TokensPerMinute = Tpm is { } t ? (int)t : null,
        CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(CreatedAt),
        ExpiresAt = Time(ExpiresAt), RevokedAt = Time(RevokedAt), LastUsedAt = Time(LastUsedAt),
        RotatedFrom = RotatedFrom,
    };

    public static object From(StoredKey k) => new
    {
        k.Id, k.KeyHash, k.DisplayPrefix, k.Tenant, k.Agent, k.Principal,
        Models = string.Join(',', k.Models), Scopes = string.Join(',', k.Scopes),
        Rpm = k.RequestsPerMinute, Tpm = k.TokensPerMinute,
        CreatedAt = k.CreatedAt.ToUnixTimeMilliseconds(),
        ExpiresAt = k.ExpiresAt?.ToUnixTimeMilliseconds(), RevokedAt = k.RevokedAt?.ToUnixTimeMilliseconds(),
        LastUsedAt = k.LastUsedAt?.ToUnixTimeMilliseconds(), k.RotatedFrom,
    };

    private static string[] Split(string s) => s.Length == 0 ? [] : s.Split(',');
    private static DateTimeOffset? Time(long? ms) => ms is { } v ? DateTimeOffset.FromUnixTimeMilliseconds(v) : null;
}
