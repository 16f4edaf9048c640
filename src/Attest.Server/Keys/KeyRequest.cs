namespace Attest.Server.Keys;

/// <summary>What a caller asks for when creating a key (CLI flags or the admin API body).</summary>
public sealed record KeyRequest
{
    public required string Tenant { get; init; }
    public string? Agent { get; init; }
    public string? Principal { get; init; }
    public IReadOnlyList<string> Models { get; init; } = [];
    /// <summary>Default <c>chat</c>, <c>embeddings</c> when empty.</summary>
    public IReadOnlyList<string> Scopes { get; init; } = [];
    /// <summary>Lifetime from now; null means no expiry.</summary>
    public TimeSpan? ExpiresIn { get; init; }
    public int? RequestsPerMinute { get; init; }
    public int? TokensPerMinute { get; init; }
}

/// <summary>A request that names something invalid; <see cref="Code"/> is stable and <see cref="Param"/> names the field.</summary>
public sealed class KeyRequestException(string code, string message, string? param = null) : Exception(message)
{
    public string Code { get; } = code;
    public string? Param { get; } = param;
}

/// <summary>Scope names a key may carry.</summary>
public static class KeyScopes
{
    public const string Chat = "chat";
    public const string Embeddings = "embeddings";
    public const string Retrieve = "retrieve";
    public const string Tools = "tools";
    public const string Ingest = "ingest";
    public const string Approve = "approve";
    public const string Admin = "admin";

    public static IReadOnlyList<string> All { get; } = [Chat, Embeddings, Retrieve, Tools, Ingest, Approve, Admin];
    public static IReadOnlyList<string> Default { get; } = [Chat, Embeddings];
}
