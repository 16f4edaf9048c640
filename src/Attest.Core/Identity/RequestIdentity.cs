namespace Attest.Core.Identity;

/// <summary>
/// Who is calling, resolved once per request (by the gateway's first stage) and read by guards,
/// retrieval, the tool gate and audit. Immutable; safe to share across threads.
/// </summary>
public sealed record RequestIdentity
{
    public required string Tenant { get; init; }
    /// <summary>Id of the virtual key used (never the key itself).</summary>
    public string? KeyId { get; init; }
    /// <summary>Principal bound to the key, if any.</summary>
    public string? Principal { get; init; }
    public string? Agent { get; init; }
    /// <summary>End user on whose behalf the call is made (from <c>user</c>, <c>x-attest-user</c> or an on-behalf-of token).</summary>
    public string? EndUser { get; init; }
    /// <summary>Groups of the end user (or of the principal when there is no end user).</summary>
    public IReadOnlyList<string> Groups { get; init; } = [];
    public IReadOnlyList<string> Scopes { get; init; } = [];
    /// <summary>True while a break-glass session elevates this caller.</summary>
    public bool BreakGlass { get; init; }
    /// <summary>Correlation id of the request.</summary>
    public string? RequestId { get; init; }

    /// <summary>The data subject whose key encrypts audit payloads: the end user, else the tenant.</summary>
    public string DataSubject => EndUser is { Length: > 0 } u ? $"{Tenant}/user/{u}" : $"{Tenant}/tenant";
}
