namespace Attest.Retrieval;

/// <summary>Identifies a document inside one tenant.</summary>
public readonly record struct DocumentKey(string Connector, string DocumentId);

/// <summary>One chunk as stored: encrypted text, hashed-term postings, its length in terms and an optional encrypted vector.</summary>
public sealed record StoredChunk(int Ordinal, byte[] TextCiphertext, byte[] Postings, int Length, byte[]? VectorCiphertext);

/// <summary>A document as stored. Text, title and source URL are ciphertext; ids, connector, classification and ACL are clear (they drive access checks and audit).</summary>
public sealed record StoredDocument
{
    public required DocumentKey Key { get; init; }
    public required string Classification { get; init; }
    public required string ContentMac { get; init; }
    public required byte[] MetaCiphertext { get; init; }
    public required DocumentAcl Acl { get; init; }
    public required IReadOnlyList<StoredChunk> Chunks { get; init; }
}

/// <summary>What the index needs of a document (no text).</summary>
public sealed record IndexedDocument(DocumentKey Key, string Classification, string ContentMac, DocumentAcl Acl, IReadOnlyList<IndexedChunk> Chunks);

public sealed record IndexedChunk(int Ordinal, byte[] Postings, int Length, byte[]? VectorCiphertext);

/// <summary>What a result needs to be shown: the chunk's and the document's ciphertext.</summary>
public sealed record ChunkPayload(DocumentKey Key, int Ordinal, byte[] TextCiphertext, byte[] MetaCiphertext);

/// <summary>The current state of a document, for idempotency checks.</summary>
public sealed record DocumentState(string ContentMac, DocumentAcl Acl, string Classification);

/// <summary>One change to a tenant's documents, applied with the others of its batch in one transaction.</summary>
public abstract record DocumentMutation(DocumentKey Key)
{
    public sealed record Upsert(StoredDocument Document) : DocumentMutation(Document.Key);
    public sealed record SetAcl(DocumentKey Document, DocumentAcl Acl) : DocumentMutation(Document);
    public sealed record Delete(DocumentKey Document) : DocumentMutation(Document);
}

/// <summary>
/// Persistence of the retrieval index (SQLite or PostgreSQL in Attest.Storage). Every mutation batch bumps the
/// tenant's version and records which documents changed, so every replica's in-memory index can catch up
/// (including ACL revocations) before it answers the next query. Thread-safe.
/// </summary>
public interface IRetrievalStore
{
    /// <summary>The tenant's wrapped root key, or null when none was created yet.</summary>
    Task<byte[]?> GetWrappedTenantKeyAsync(string tenant, CancellationToken cancellationToken = default);

    /// <summary>Stores a wrapped key unless one exists; returns the key that is stored (the first writer wins).</summary>
    Task<byte[]> AddWrappedTenantKeyAsync(string tenant, byte[] wrapped, DateTimeOffset now, CancellationToken cancellationToken = default);

    Task<IReadOnlyDictionary<DocumentKey, DocumentState>> GetDocumentStatesAsync(string tenant, IReadOnlyList<DocumentKey> keys, CancellationToken cancellationToken = default);

    /// <summary>Applies the batch atomically. Returns, per mutation, whether it changed anything (a delete or ACL change of an unknown document does not).</summary>
    Task<IReadOnlyList<bool>> ApplyAsync(string tenant, IReadOnlyList<DocumentMutation> mutations, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>The tenant's change version (0 when it has no documents yet).</summary>
    Task<long> GetVersionAsync(string tenant, CancellationToken cancellationToken = default);

    /// <summary>Documents changed after <paramref name="afterVersion"/>, with the highest version seen.</summary>
    Task<(IReadOnlyList<DocumentKey> Keys, long Version)> GetChangesAsync(string tenant, long afterVersion, CancellationToken cancellationToken = default);

    /// <summary>Index data of the given documents (or all of the tenant's when <paramref name="only"/> is null). Absent documents are omitted.</summary>
    IAsyncEnumerable<IndexedDocument> LoadIndexAsync(string tenant, IReadOnlyList<DocumentKey>? only, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<ChunkPayload>> LoadPayloadsAsync(string tenant, IReadOnlyList<(DocumentKey Key, int Ordinal)> chunks, CancellationToken cancellationToken = default);
}
