namespace Attest.Retrieval;

/// <summary>Tuning of chunking, ranking and limits. Immutable; defaults suit prose documents.</summary>
public sealed record RetrievalOptions
{
    /// <summary>Words per chunk. Default 200; range 16–4096.</summary>
    public int ChunkWords { get; init; } = 200;
    /// <summary>Words repeated at the start of the next chunk. Default 40; must be below <see cref="ChunkWords"/>.</summary>
    public int ChunkOverlapWords { get; init; } = 40;
    /// <summary>Largest top_k accepted. Default 50.</summary>
    public int MaxTopK { get; init; } = 50;
    /// <summary>Largest document text accepted, in characters. Default 2,000,000.</summary>
    public int MaxDocumentChars { get; init; } = 2_000_000;
    /// <summary>Largest batch accepted by one ingestion call. Default 500.</summary>
    public int MaxBatch { get; init; } = 500;
    /// <summary>Weight of BM25 (normalised to the best hit) against cosine similarity in hybrid mode. Default 0.5.</summary>
    public double HybridBm25Weight { get; init; } = 0.5;
    /// <summary>BM25 term-saturation parameter. Default 1.2.</summary>
    public float K1 { get; init; } = 1.2f;
    /// <summary>BM25 length-normalisation parameter. Default 0.75.</summary>
    public float B { get; init; } = 0.75f;

    public static RetrievalOptions Default { get; } = new();

    public void Validate()
    {
        if (ChunkWords is < 16 or > 4096) throw new ArgumentOutOfRangeException(nameof(ChunkWords), "chunk size must be 16–4096 words");
        if (ChunkOverlapWords < 0 || ChunkOverlapWords >= ChunkWords) throw new ArgumentOutOfRangeException(nameof(ChunkOverlapWords), "overlap must be 0 or more and below the chunk size");
    }
}
