using Attest.Core.Audit;

namespace Attest.Audit.Log;

/// <summary>
/// Where the audit log keeps entries, checkpoints, its tail and subject keys (SQLite and
/// PostgreSQL in Attest.Storage, memory for tests). Implementations are thread-safe.
/// </summary>
public interface IAuditStore
{
    /// <summary>
    /// In one durable transaction: take the log's write lock, read the tail, call <paramref name="build"/>
    /// with it, then insert the batch's rows and checkpoint and replace the tail. Returns once committed
    /// (SQLite synchronous=FULL / PostgreSQL synchronous commit); throws when anything fails, and then
    /// nothing of the batch is stored. <paramref name="build"/> may be called more than once (the
    /// PostgreSQL store first tries the tail it remembers and, when another replica has appended since,
    /// builds again on the tail it reads under the lock), so it must be free of side effects; only the
    /// batch of the last call is stored.
    /// </summary>
    Task AppendAsync(Func<AuditTail, AuditBatch> build, CancellationToken cancellationToken = default);

    Task<AuditTail> ReadTailAsync(CancellationToken cancellationToken = default);

    /// <summary>Rows with <paramref name="fromSequence"/> &lt;= seq &lt; <paramref name="toSequence"/>, in sequence order.</summary>
    IAsyncEnumerable<AuditRow> ReadRowsAsync(long fromSequence, long toSequence, CancellationToken cancellationToken = default);

    /// <summary>Leaf hashes from <paramref name="fromSequence"/> on, in order (for the in-memory proof tree).</summary>
    IAsyncEnumerable<byte[]> ReadLeafHashesAsync(long fromSequence, CancellationToken cancellationToken = default);

    /// <summary>Every checkpoint, by increasing size.</summary>
    Task<IReadOnlyList<StoredCheckpoint>> ReadCheckpointsAsync(CancellationToken cancellationToken = default);

    /// <summary>Skeleton rows matching the query, in sequence order.</summary>
    IAsyncEnumerable<AuditRow> QueryAsync(AuditQuery query, CancellationToken cancellationToken = default);

    /// <summary>The live (not forgotten) key of each subject that has one.</summary>
    Task<IReadOnlyDictionary<string, SubjectKeyRecord>> ActiveSubjectKeysAsync(IReadOnlyCollection<string> subjects, CancellationToken cancellationToken = default);

    /// <summary>Stores <paramref name="candidate"/> unless the subject already has a live key; returns the live key.</summary>
    Task<SubjectKeyRecord> AddSubjectKeyAsync(SubjectKeyRecord candidate, CancellationToken cancellationToken = default);

    Task<SubjectKeyRecord?> SubjectKeyAsync(string keyId, CancellationToken cancellationToken = default);

    /// <summary>Destroys every wrapped key of the subject; returns how many keys were destroyed.</summary>
    Task<int> ForgetSubjectAsync(string subject, DateTimeOffset at, CancellationToken cancellationToken = default);

    /// <summary>Removes payload ciphertext of a data class older than <paramref name="before"/>; returns how many payloads were removed.</summary>
    Task<long> PurgePayloadsAsync(string dataClass, DateTimeOffset before, CancellationToken cancellationToken = default);
}

/// <summary>The log's head: size, chain hash of the last entry, Merkle frontier and the size of the last checkpoint.</summary>
public sealed record AuditTail(long Size, byte[] ChainHash, byte[] Frontier, long LastCheckpointSize)
{
    public static AuditTail Empty { get; } = new(0, new byte[32], [], 0);
}

/// <summary>One stored entry: the canonical skeleton, its hashes, the query columns and the sealed payload (null once purged).</summary>
public sealed record AuditRow(long Sequence, string Id, DateTimeOffset Time, string Type, string Tenant, AuditActor Actor,
    string? Subject, string DataClass, byte[] Canonical, byte[] LeafHash, byte[] ChainHash, byte[]? Payload);

/// <summary>A signed checkpoint as stored: size, root, time, signer and the signed note text.</summary>
public sealed record StoredCheckpoint(long Size, byte[] Root, DateTimeOffset Time, string KeyId, string Note);

/// <summary>A subject's data key, wrapped by the master key; <see cref="Wrapped"/> is null once forgotten.</summary>
public sealed record SubjectKeyRecord(string KeyId, string Subject, byte[]? Wrapped, DateTimeOffset Created, DateTimeOffset? Forgotten);

/// <summary>What one append transaction writes.</summary>
public sealed record AuditBatch(IReadOnlyList<AuditRow> Rows, AuditTail Tail, StoredCheckpoint? Checkpoint);
