namespace Attest.Audit.Merkle;

/// <summary>
/// The right frontier of a Merkle tree (one perfect-subtree root per set bit of the size), enough
/// to append leaves and compute the root without the rest of the tree. This is what the log's tail
/// stores. Not thread-safe; the log's writer owns it.
/// </summary>
public sealed class CompactRange
{
    private readonly List<byte[]> _nodes;

    public CompactRange() : this(0, []) { }

    private CompactRange(long size, List<byte[]> nodes)
    {
        Size = size;
        _nodes = nodes;
    }

    public long Size { get; private set; }

    public void Append(ReadOnlySpan<byte> leafHash)
    {
        var h = leafHash.ToArray();
        var s = Size;
        while ((s & 1) == 1)
        {
            MerkleHash.Node(_nodes[^1], h, h); // Node copies its inputs first, so h may be the destination
            _nodes.RemoveAt(_nodes.Count - 1);
            s >>= 1;
        }
        _nodes.Add(h);
        Size++;
    }

    public byte[] Root()
    {
        if (_nodes.Count == 0) return MerkleHash.EmptyRoot;
        var r = _nodes[^1];
        for (var i = _nodes.Count - 2; i >= 0; i--) r = MerkleHash.Node(_nodes[i], r);
        return r;
    }

    /// <summary>Serialises as the concatenated 32-byte nodes, left to right.</summary>
    public byte[] ToBytes()
    {
        var b = new byte[_nodes.Count * MerkleHash.Size];
        for (var i = 0; i < _nodes.Count; i++) _nodes[i].CopyTo(b, i * MerkleHash.Size);
        return b;
    }

    public static CompactRange FromBytes(long size, ReadOnlySpan<byte> nodes)
    {
        var count = System.Numerics.BitOperations.PopCount((ulong)size);
        if (nodes.Length != count * MerkleHash.Size)
            throw new InvalidDataException($"frontier of size {size} needs {count} nodes, found {nodes.Length / MerkleHash.Size}");
        var list = new List<byte[]>(count + 1);
        for (var i = 0; i < count; i++) list.Add(nodes.Slice(i * MerkleHash.Size, MerkleHash.Size).ToArray());
        return new CompactRange(size, list);
    }

    public CompactRange Clone() => new(Size, [.. _nodes]);
}
