using Attest.Audit.Merkle;

namespace Attest.Audit.Log;

/// <summary>
/// Serves roots and proofs from an in-memory <see cref="MerkleTree"/> that catches up with the
/// store's committed leaves before each request (so several replicas each serve the one log).
/// Thread-safe.
/// </summary>
public sealed class AuditProofService(IAuditStore store) : IDisposable
{
    private readonly MerkleTree _tree = new();
    private readonly SemaphoreSlim _sync = new(1, 1);

    /// <summary>Reads newly committed leaves; returns the tree size.</summary>
    public async Task<long> SyncAsync(CancellationToken cancellationToken = default)
    {
        await _sync.WaitAsync(cancellationToken);
        try
        {
            await foreach (var leaf in store.ReadLeafHashesAsync(_tree.Size, cancellationToken)) _tree.Append(leaf);
            return _tree.Size;
        }
        finally { _sync.Release(); }
    }

    public async Task<InclusionProof> InclusionAsync(long index, long size, CancellationToken cancellationToken = default)
    {
        var current = await SyncAsync(cancellationToken);
        if (size < 1 || size > current) throw new ArgumentOutOfRangeException(nameof(size), $"size must be within 1..{current}");
        if (index < 0 || index >= size) throw new ArgumentOutOfRangeException(nameof(index), $"index must be within 0..{size - 1}");
        await _sync.WaitAsync(cancellationToken);
        try { return new InclusionProof(index, size, _tree.LeafHash(index), _tree.InclusionProof(index, size), _tree.Root(size)); }
        finally { _sync.Release(); }
    }

    public async Task<ConsistencyProof> ConsistencyAsync(long first, long second, CancellationToken cancellationToken = default)
    {
        var current = await SyncAsync(cancellationToken);
        if (second < 0 || second > current) throw new ArgumentOutOfRangeException(nameof(second), $"to must be within 0..{current}");
        if (first < 0 || first > second) throw new ArgumentOutOfRangeException(nameof(first), $"from must be within 0..{second}");
        await _sync.WaitAsync(cancellationToken);
        try { return new ConsistencyProof(first, second, _tree.Root(first), _tree.Root(second), _tree.ConsistencyProof(first, second)); }
        finally { _sync.Release(); }
    }

    public void Dispose() => _sync.Dispose();
}

/// <summary>An inclusion proof of one leaf in the tree of <see cref="Size"/> leaves.</summary>
public sealed record InclusionProof(long Index, long Size, byte[] LeafHash, IReadOnlyList<byte[]> Path, byte[] Root)
{
    public bool Verify() => MerkleVerifier.VerifyInclusion(LeafHash, Index, Size, Path, Root);
}

/// <summary>A consistency proof between the trees of <see cref="First"/> and <see cref="Second"/> leaves.</summary>
public sealed record ConsistencyProof(long First, long Second, byte[] FirstRoot, byte[] SecondRoot, IReadOnlyList<byte[]> Path)
{
    public bool Verify() => MerkleVerifier.VerifyConsistency(First, Second, FirstRoot, SecondRoot, Path);
}
