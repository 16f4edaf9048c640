using Attest.Audit.Checkpoints;
using Attest.Audit.Log;
using Attest.Audit.Merkle;

namespace Attest.Audit.Verification;

/// <summary>Kinds of tampering the verifier names.</summary>
public enum TamperKind { None, Edited, Deleted, Inserted, Reordered, Truncated, ForgedCheckpoint }

/// <summary>One row as the verifier sees it, in stored order: canonical entry, stored chain hash, sealed payload (null when purged).</summary>
public readonly record struct VerifyRow(byte[] Canonical, byte[] ChainHash, byte[]? Payload);

/// <summary>Outcome of a verification: counts, and the first bad index and kind when something is wrong.</summary>
public sealed record VerifyReport(bool Ok, long Entries, int Checkpoints, long? FirstBadIndex, TamperKind Kind, string Message)
{
    public static string KindName(TamperKind kind) => kind switch
    {
        TamperKind.ForgedCheckpoint => "forged-checkpoint",
        _ => kind.ToString().ToLowerInvariant(),
    };
}

/// <summary>
/// Streams a log (or an export's entries) in stored order and recomputes every leaf hash, chain
/// hash, payload digest and Merkle root; verifies every checkpoint's signature against the trusted
/// keys and its root against the recomputed tree. The first anomaly is classified by looking at the
/// rows that follow it (docs/audit.md §Verification). Feed rows with <see cref="Add"/>, then call
/// <see cref="Finish"/>. Not thread-safe (one instance per verification).
/// </summary>
public sealed class AuditVerifier
{
    private readonly SortedDictionary<long, StoredCheckpoint> _valid = [];
    private readonly List<(long Size, string Error)> _forged = [];
    private readonly CompactRange _tree;
    private readonly long _startIndex;
    private readonly byte[] _chain;
    private readonly byte[] _chainBeforeLast;
    private long _expected;
    private long _lastMatchedCheckpoint;
    private (long Index, string Message)? _rootMismatch;
    // First anomaly and what follows it, for classification.
    private VerifyRow? _anomaly;
    private long? _anomalySeq;
    private byte[]? _anomalyChainBefore;
    private VerifyRow? _next;
    private readonly HashSet<long> _laterSeqs = [];

    /// <param name="checkpoints">Checkpoints to check (all of the log's, or an export's).</param>
    /// <param name="trusted">Public keys accepted for checkpoint signatures (several during key rotation).</param>
    /// <param name="startIndex">Index of the first row fed (0 for a whole log).</param>
    /// <param name="chainBefore">Chain hash before the first row (32 zero bytes for index 0).</param>
    /// <param name="verifyRoots">False when rows do not start at 0, so roots are checked by proofs instead.</param>
    public AuditVerifier(IEnumerable<StoredCheckpoint> checkpoints, IReadOnlyCollection<CheckpointKey> trusted,
        long startIndex = 0, byte[]? chainBefore = null, bool verifyRoots = true)
    {
        _startIndex = startIndex;
        _expected = startIndex;
        _chain = chainBefore?.ToArray() ?? new byte[32];
        _chainBeforeLast = _chain.ToArray();
        _tree = new CompactRange();
        VerifyRoots = verifyRoots && startIndex == 0;
        foreach (var cp in checkpoints)
        {
            CheckpointCount++;
            var v = Checkpoint.Verify(cp.Note, trusted);
            if (!v.Ok) _forged.Add((cp.Size, v.Error!));
            else if (v.Checkpoint!.Size != cp.Size || !v.Checkpoint.Root.AsSpan().SequenceEqual(cp.Root))
                _forged.Add((cp.Size, "stored size or root differs from the signed note"));
            else _valid[cp.Size] = cp;
        }
    }

    public bool VerifyRoots { get; }
    public int CheckpointCount { get; }
    public long RowCount { get; private set; }
    /// <summary>Valid (signature-checked) checkpoints, by size.</summary>
    public IReadOnlyDictionary<long, StoredCheckpoint> ValidCheckpoints => _valid;

    public void Add(VerifyRow row)
    {
        Span<byte> leaf = stackalloc byte[MerkleHash.Size];
        MerkleHash.Leaf(row.Canonical, leaf);
        AddPrepared(row, leaf, Sequence(row.Canonical, _expected), PayloadMatches(row));
    }

    /// <summary>
    /// The entry's sequence number: the canonical layout's fast read when it gives the expected
    /// number (the good path), else the full JSON read (<see cref="AuditEntry.ReadSequence"/>),
    /// which classification relies on.
    /// </summary>
    private static long? Sequence(byte[] canonical, long expected) =>
        AuditEntry.ReadCanonicalSequence(canonical) is { } fast && fast == expected ? fast : AuditEntry.ReadSequence(canonical);

    private const int Chunk = 512;

    /// <summary>
    /// Feeds rows in stored order, exactly as calling <see cref="Add(VerifyRow)"/> for each. The
    /// per-row work that does not depend on earlier rows (leaf hash, sequence, payload digest) runs
    /// on every processor in chunks taken in order, while this thread folds finished chunks into the
    /// chain and the tree (helping with the hashing whenever the next chunk is not ready yet).
    /// </summary>
    public void AddRange(IReadOnlyList<VerifyRow> rows)
    {
        var count = rows.Count;
        if (count < 2 * Chunk)
        {
            foreach (var r in rows) Add(r);
            return;
        }
        var leaves = System.Buffers.ArrayPool<byte>.Shared.Rent(count * MerkleHash.Size);
        var seqs = System.Buffers.ArrayPool<long>.Shared.Rent(count);
        var flags = System.Buffers.ArrayPool<byte>.Shared.Rent(count);
        var chunks = (count + Chunk - 1) / Chunk;
        var done = new int[chunks];
        var next = -1;
        var expectedAtStart = _expected;
        var gate = new object();
        Exception? failure = null;
        void Work(int c)
        {
            try
            {
                for (int i = c * Chunk, end = Math.Min(count, i + Chunk); i < end; i++)
                {
                    var row = rows[i];
                    MerkleHash.Leaf(row.Canonical, leaves.AsSpan(i * MerkleHash.Size, MerkleHash.Size));
                    var seq = Sequence(row.Canonical, expectedAtStart + i); // the good path's expected number; anything else takes the full read
                    seqs[i] = seq ?? 0;
                    flags[i] = (byte)((seq is null ? 0 : 1) | (PayloadMatches(row) ? 2 : 0));
                }
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref failure, e, null);
            }
            finally
            {
                Volatile.Write(ref done[c], 1);
                lock (gate) Monitor.PulseAll(gate);
            }
        }
        // Helpers take chunks in order until none is left. This thread never waits for a helper to
        // start or finish, only for a chunk a helper is hashing; a helper that starts late finds
        // nothing left and touches nothing else.
        for (var h = Math.Max(1, Environment.ProcessorCount - 1); h > 0; h--)
            ThreadPool.UnsafeQueueUserWorkItem(_ =>
            {
                int c;
                while ((c = Interlocked.Increment(ref next)) < chunks) Work(c);
            }, null);
        try
        {
            for (var c = 0; c < chunks; c++)
            {
                while (Volatile.Read(ref done[c]) == 0)
                {
                    var k = Interlocked.Increment(ref next);
                    if (k < chunks) { Work(k); continue; }
                    lock (gate)
                        if (Volatile.Read(ref done[c]) == 0) Monitor.Wait(gate);
                }
                if (failure is not null) throw new InvalidOperationException("verification failed while hashing rows", failure);
                for (int i = c * Chunk, end = Math.Min(count, i + Chunk); i < end; i++)
                    AddPrepared(rows[i], leaves.AsSpan(i * MerkleHash.Size, MerkleHash.Size), (flags[i] & 1) != 0 ? seqs[i] : null, (flags[i] & 2) != 0);
            }
        }
        finally
        {
            // Every claimed chunk is finished before the arrays go back: wait out any still being hashed.
            for (var c = 0; c < chunks; c++)
                while (Volatile.Read(ref done[c]) == 0 && Volatile.Read(ref next) > c)
                    lock (gate)
                        if (Volatile.Read(ref done[c]) == 0) Monitor.Wait(gate, 10);
            Interlocked.Exchange(ref next, chunks); // nothing more may be claimed
            System.Buffers.ArrayPool<byte>.Shared.Return(leaves);
            System.Buffers.ArrayPool<long>.Shared.Return(seqs);
            System.Buffers.ArrayPool<byte>.Shared.Return(flags);
        }
    }

    private void AddPrepared(VerifyRow row, ReadOnlySpan<byte> leaf, long? seq, bool payloadMatches)
    {
        RowCount++;
        if (_anomaly is not null)
        {
            _next ??= row;
            if (seq is { } s) _laterSeqs.Add(s);
            return;
        }
        Span<byte> chain = stackalloc byte[MerkleHash.Size];
        MerkleHash.Chain(_chain, leaf, chain);
        if (seq != _expected || !chain.SequenceEqual(row.ChainHash) || !payloadMatches)
        {
            _anomaly = row;
            _anomalySeq = seq;
            _anomalyChainBefore = _chain.ToArray();
            return;
        }
        _chain.CopyTo(_chainBeforeLast, 0);
        chain.CopyTo(_chain);
        _expected++;
        if (!VerifyRoots) return;
        _tree.Append(leaf);
        if (_valid.TryGetValue(_tree.Size, out var cp))
        {
            if (cp.Root.AsSpan().SequenceEqual(_tree.Root())) _lastMatchedCheckpoint = cp.Size;
            else _rootMismatch ??= (_lastMatchedCheckpoint,
                $"entries in [{_lastMatchedCheckpoint}, {cp.Size}) were rewritten with recomputed hashes: checkpoint {cp.Size} does not match the tree");
        }
    }

    /// <summary>The chain hash after the last good row (for exports that continue it).</summary>
    public byte[] ChainHash => _chain.ToArray();

    public VerifyReport Finish()
    {
        var findings = new List<(long Index, TamperKind Kind, string Message)>();
        if (_anomaly is { } a) findings.Add(Classify(a));
        foreach (var (size, error) in _forged) findings.Add((size, TamperKind.ForgedCheckpoint, $"checkpoint at size {size} is forged: {error}"));
        if (_rootMismatch is { } rm && _anomaly is null) findings.Add((rm.Index, TamperKind.Edited, rm.Message));
        if (_anomaly is null && _valid.Count > 0 && _valid.Keys.Max() > _expected)
            findings.Add((_expected, TamperKind.Truncated, $"the log ends at {_expected} but checkpoint {_valid.Keys.Max()} was signed"));
        if (findings.Count == 0)
            return new VerifyReport(true, RowCount, CheckpointCount, null, TamperKind.None,
                $"{RowCount} entries and {CheckpointCount} checkpoints verified");
        var first = findings.OrderBy(f => f.Index).ThenBy(f => f.Kind).First();
        var more = findings.Count > 1 ? $" (and {findings.Count - 1} more finding(s))" : "";
        return new VerifyReport(false, RowCount, CheckpointCount, first.Index, first.Kind, first.Message + more);
    }

    private (long, TamperKind, string) Classify(VerifyRow row)
    {
        var p = _expected;
        var nextSeq = _next is { } n0 ? AuditEntry.ReadSequence(n0.Canonical) : null;
        var nextChainsFromBefore = _next is { } n1 && nextSeq == p && Chains(_anomalyChainBefore!, n1);
        var nextChainsFromRow = _next is { } n2 && nextSeq == p + 1 && Chains(row.ChainHash, n2);
        if (_anomalySeq is not { } s || s == p)
        {
            if (nextChainsFromBefore) return (p, TamperKind.Inserted, $"an entry not in the log was inserted before index {p}");
            if (_anomalySeq is null) return (p, TamperKind.Edited, $"entry {p} is not a canonical entry");
            return (p, TamperKind.Edited, PayloadMatches(row) ? $"entry {p} was edited (its hash does not chain)" : $"the payload of entry {p} was edited");
        }
        if (s < p)
        {
            // The row before chained, yet this one is the genuine entry p-1: the row before was a forgery with a recomputed chain.
            if (s == p - 1 && Chains(_chainBeforeLast, row))
                return (p - 1, TamperKind.Inserted, $"an entry not in the log was inserted before index {p - 1}");
            return (p, TamperKind.Inserted, $"a copy of entry {s} was inserted at index {p}");
        }
        if (nextChainsFromRow) return (p, TamperKind.Edited, $"entry {p} was edited (its sequence number was changed)");
        return _laterSeqs.Contains(p)
            ? (p, TamperKind.Reordered, $"entry {p} is out of order (entry {s} stands in its place)")
            : (p, TamperKind.Deleted, s - p == 1 ? $"entry {p} was deleted" : $"entries {p}..{s - 1} were deleted");
    }

    private static bool Chains(byte[] before, VerifyRow row) =>
        MerkleHash.Chain(before, MerkleHash.Leaf(row.Canonical)).AsSpan().SequenceEqual(row.ChainHash);

    private static bool PayloadMatches(VerifyRow row)
    {
        if (row.Payload is null) return true;
        ReadOnlySpan<byte> prefix = "\"sha256\":\""u8;
        Span<byte> needle = stackalloc byte[prefix.Length + 64 + 1];
        prefix.CopyTo(needle);
        Span<byte> digest = stackalloc byte[32];
        Sha256Fast.Hash(row.Payload, digest);
        Convert.TryToHexStringLower(digest, needle[prefix.Length..], out _);
        needle[^1] = (byte)'"';
        return row.Canonical.AsSpan().IndexOf(needle) >= 0;
    }
}
