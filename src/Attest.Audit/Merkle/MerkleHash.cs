using System.Security.Cryptography;

namespace Attest.Audit.Merkle;

/// <summary>
/// RFC 6962 / RFC 9162 hashing: leaf = SHA-256(0x00 || entry), node = SHA-256(0x01 || left || right),
/// empty tree = SHA-256(""). All hashes are 32 bytes. Stateless and thread-safe.
/// </summary>
public static class MerkleHash
{
    public const int Size = 32;

    /// <summary>SHA-256 of the empty string: the root of the tree of size 0.</summary>
    public static byte[] EmptyRoot { get; } = SHA256.HashData(ReadOnlySpan<byte>.Empty);

    public static byte[] Leaf(ReadOnlySpan<byte> entry)
    {
        var h = new byte[Size];
        Leaf(entry, h);
        return h;
    }

    public static void Leaf(ReadOnlySpan<byte> entry, Span<byte> destination)
    {
        if (entry.Length < 1024)
        {
            Span<byte> small = stackalloc byte[entry.Length + 1];
            small[0] = 0x00;
            entry.CopyTo(small[1..]);
            Sha256Fast.Hash(small, destination);
            return;
        }
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(entry.Length + 1);
        buffer[0] = 0x00;
        entry.CopyTo(buffer.AsSpan(1));
        Sha256Fast.Hash(buffer.AsSpan(0, entry.Length + 1), destination);
        System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
    }

    public static byte[] Node(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        var h = new byte[Size];
        Node(left, right, h);
        return h;
    }

    public static void Node(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right, Span<byte> destination)
    {
        Span<byte> buf = stackalloc byte[1 + 2 * Size];
        buf[0] = 0x01;
        left.CopyTo(buf[1..]);
        right.CopyTo(buf[(1 + Size)..]);
        Sha256Fast.Hash(buf, destination);
    }

    /// <summary>Per-entry chain hash: SHA-256(previous chain || leaf hash); the chain before entry 0 is 32 zero bytes.</summary>
    public static byte[] Chain(ReadOnlySpan<byte> previous, ReadOnlySpan<byte> leaf)
    {
        var h = new byte[Size];
        Chain(previous, leaf, h);
        return h;
    }

    /// <summary>Writes the chain hash to <paramref name="destination"/> (which may alias either input).</summary>
    public static void Chain(ReadOnlySpan<byte> previous, ReadOnlySpan<byte> leaf, Span<byte> destination)
    {
        Span<byte> buf = stackalloc byte[2 * Size];
        previous.CopyTo(buf);
        leaf.CopyTo(buf[Size..]);
        Sha256Fast.Hash(buf, destination);
    }

    /// <summary>Largest power of two strictly less than <paramref name="n"/> (n &gt; 1).</summary>
    internal static long SplitPoint(long n) => 1L << (63 - System.Numerics.BitOperations.LeadingZeroCount((ulong)(n - 1)));
}
