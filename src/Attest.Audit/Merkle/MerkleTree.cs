namespace Attest.Audit.Merkle;

/// <summary>
/// An append-only RFC 9162 Merkle tree held in memory as the hashes of every perfect, aligned
/// subtree (about two hashes per leaf), so roots, inclusion proofs and consistency proofs for any
/// earlier size cost O(log² n) hash operations. Reads may run concurrently with each other;
/// appends need exclusive access (callers lock).
/// </summary>
public sealed class MerkleTree
{
    private readonly List<HashArray> _levels = [new()];

    public long Size => _levels[0].Count;

    public void Append(ReadOnlySpan<byte> leafHash)
    {
        _levels[0].Add(leafHash);
        var level = 0;
        Span<byte> parent = stackalloc byte[MerkleHash.Size];
        while ((_levels[level].Count & 1) == 0)
        {
            var count = _levels[level].Count;
            if (_levels.Count == level + 1) _levels.Add(new HashArray());
            MerkleHash.Node(_levels[level].Get(count - 2), _levels[level].Get(count - 1), parent);
            _levels[level + 1].Add(parent);
            level++;
        }
    }

    public byte[] LeafHash(long index) => _levels[0].Get(index).ToArray();

    /// <summary>Root of the tree made of the first <paramref name="size"/> leaves.</summary>
    public byte[] Root(long size)
    {
        CheckSize(size);
        return size == 0 ? MerkleHash.EmptyRoot : SubtreeHash(0, size);
    }

    /// <summary>RFC 9162 §2.1.3.1 inclusion proof of leaf <paramref name="index"/> in the tree of <paramref name="size"/>.</summary>
    public IReadOnlyList<byte[]> InclusionProof(long index, long size)
    {
        CheckSize(size);
        if (index < 0 || index >= size) throw new ArgumentOutOfRangeException(nameof(index), $"index {index} is not below size {size}");
        var proof = new List<byte[]>();
        Path(index, 0, size, proof);
        return proof;
    }

    /// <summary>RFC 9162 §2.1.4.1 consistency proof from size <paramref name="first"/> to <paramref name="second"/>.</summary>
    public IReadOnlyList<byte[]> ConsistencyProof(long first, long second)
    {
        CheckSize(second);
        if (first < 0 || first > second) throw new ArgumentOutOfRangeException(nameof(first), $"first size {first} is not within 0..{second}");
        var proof = new List<byte[]>();
        if (first == 0 || first == second) return proof;
        SubProof(first, 0, second, true, proof);
        return proof;
    }

    private void Path(long m, long start, long n, List<byte[]> proof)
    {
        if (n == 1) return;
        var k = MerkleHash.SplitPoint(n);
        if (m < k)
        {
            Path(m, start, k, proof);
            proof.Add(SubtreeHash(start + k, n - k));
        }
        else
        {
            Path(m - k, start + k, n - k, proof);
            proof.Add(SubtreeHash(start, k));
        }
    }

    private void SubProof(long m, long start, long n, bool whole, List<byte[]> proof)
    {
        if (m == n)
        {
            if (!whole) proof.Add(SubtreeHash(start, n));
            return;
        }
        var k = MerkleHash.SplitPoint(n);
        if (m <= k)
        {
            SubProof(m, start, k, whole, proof);
            proof.Add(SubtreeHash(start + k, n - k));
        }
        else
        {
            SubProof(m - k, start + k, n - k, false, proof);
            proof.Add(SubtreeHash(start, k));
        }
    }

    /// <summary>MTH of leaves [start, start+n); start is always aligned to the perfect left parts of the RFC decomposition.</summary>
    private byte[] SubtreeHash(long start, long n)
    {
        if ((n & (n - 1)) == 0)
        {
            var level = System.Numerics.BitOperations.TrailingZeroCount((ulong)n);
            return _levels[level].Get(start >> level).ToArray();
        }
        var k = MerkleHash.SplitPoint(n);
        return MerkleHash.Node(SubtreeHash(start, k), SubtreeHash(start + k, n - k));
    }

    private void CheckSize(long size)
    {
        if (size < 0 || size > Size) throw new ArgumentOutOfRangeException(nameof(size), $"size {size} is not within 0..{Size}");
    }

    /// <summary>Chunked storage of 32-byte hashes, so millions of leaves need no huge contiguous array.</summary>
    private sealed class HashArray
    {
        private const int ChunkHashes = 1 << 16;
        private readonly List<byte[]> _chunks = [];

        public long Count { get; private set; }

        public void Add(ReadOnlySpan<byte> hash)
        {
            var chunk = (int)(Count / ChunkHashes);
            if (chunk == _chunks.Count) _chunks.Add(new byte[ChunkHashes * MerkleHash.Size]);
            hash.CopyTo(_chunks[chunk].AsSpan((int)(Count % ChunkHashes) * MerkleHash.Size, MerkleHash.Size));
            Count++;
        }

        public ReadOnlySpan<byte> Get(long index) =>
            _chunks[(int)(index / ChunkHashes)].AsSpan((int)(index % ChunkHashes) * MerkleHash.Size, MerkleHash.Size);
    }
}
