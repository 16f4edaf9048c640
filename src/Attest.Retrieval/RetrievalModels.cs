namespace Attest.Retrieval;

/// <summary>Who may see a document: <c>user:&lt;id&gt;</c> and <c>group:&lt;id&gt;</c> entries; a deny entry always wins.</summary>
public sealed record DocumentAcl(IReadOnlyList<string> Allow, IReadOnlyList<string> Deny)
{
    public static DocumentAcl Of(IEnumerable<string>? allow, IEnumerable<string>? deny = null) =>
        new([.. (allow ?? []).Select(Normalize).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)],
            [.. (deny ?? []).Select(Normalize).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)]);

    private static string Normalize(string entry) => entry.Trim();

    /// <summary>True when any of the caller's subjects is allowed and none is denied.</summary>
    public bool Permits(IReadOnlyCollection<string> subjects)
    {
        bool allowed = false;
        foreach (var s in subjects)
        {
            if (Deny.Contains(s, StringComparer.Ordinal)) return false;
            if (!allowed && Allow.Contains(s, StringComparer.Ordinal)) allowed = true;
        }
        return allowed;
    }

    public bool SameAs(DocumentAcl other) =>
        Allow.SequenceEqual(other.Allow, StringComparer.Ordinal) && Deny.SequenceEqual(other.Deny, StringComparer.Ordinal);
}

/// <summary>A document handed to ingestion (HTTP body, CLI file, or code).</summary>
public sealed record DocumentInput
{
    public required string Id { get; init; }
    public required string Connector { get; init; }
    public string? Title { get; init; }
    public required string Text { get; init; }
    public string? SourceUrl { get; init; }
    public required DocumentAcl Acl { get; init; }
}

/// <summary>What ingestion did with one document.</summary>
public enum IngestStatus { Ingested, Updated, Unchanged, AclUpdated }

public sealed record IngestOutcome(string Connector, string DocumentId, IngestStatus Status, int Chunks);

/// <summary>A query as the retrieval endpoint receives it.</summary>
public sealed record RetrievalRequest
{
    public required string Query { get; init; }
    /// <summary>Number of chunks wanted. Default 5; range 1–<see cref="RetrievalOptions.MaxTopK"/>.</summary>
    public int TopK { get; init; } = 5;
    /// <summary>Only these connectors (empty: all).</summary>
    public IReadOnlyList<string> Connectors { get; init; } = [];
    /// <summary>Only these classifications (empty: all).</summary>
    public IReadOnlyList<string> Classifications { get; init; } = [];
    /// <summary>Conversation id, scoping reversible pseudonyms in guards.</summary>
    public string? ConversationId { get; init; }
}

/// <summary>
/// A client's mistake or a refusal, with a stable code. <see cref="Forbidden"/> maps to 403, <see cref="NotFound"/> to 404,
/// anything else to 400.
/// </summary>
public sealed class RetrievalException(string code, string message, string? param = null, bool forbidden = false, bool notFound = false)
    : Exception(message)
{
    public string Code { get; } = code;
    public string? Param { get; } = param;
    public bool Forbidden { get; } = forbidden;
    public bool NotFound { get; } = notFound;
}
