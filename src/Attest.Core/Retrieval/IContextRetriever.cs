using Attest.Core.Identity;

namespace Attest.Core.Retrieval;

/// <summary>A chunk the caller may see, already passed through the guards in indirect mode.</summary>
public sealed record RetrievedChunk
{
    public required string DocumentId { get; init; }
    public required string ChunkId { get; init; }
    public required string Connector { get; init; }
    public required string Classification { get; init; }
    public string? Title { get; init; }
    public string? Source { get; init; }
    public required string Text { get; init; }
    public double Score { get; init; }
}

/// <summary>Permission-aware retrieval as the gateway sees it (for chat completions that ask Attest to inject context). Thread-safe.</summary>
public interface IContextRetriever
{
    /// <summary>Returns only chunks the identity may see; records the query in the audit log.</summary>
    Task<IReadOnlyList<RetrievedChunk>> RetrieveAsync(RequestIdentity identity, string query, int topK, CancellationToken cancellationToken = default);
}
