using System.Buffers.Binary;

namespace Attest.Retrieval;

/// <summary>Encodes a chunk's term frequencies as stored postings: per term, the 64-bit keyed term hash and the count (capped at 65,535).</summary>
public static class PostingsCodec
{
    private const int EntrySize = 10;

    public static byte[] Encode(IReadOnlyDictionary<ulong, int> frequencies)
    {
        var bytes = new byte[frequencies.Count * EntrySize];
        int o = 0;
        foreach (var (term, tf) in frequencies.OrderBy(p => p.Key))
        {
            BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(o), term);
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(o + 8), (ushort)Math.Min(tf, ushort.MaxValue));
            o += EntrySize;
        }
        return bytes;
    }

    public static int Count(ReadOnlySpan<byte> postings) => postings.Length / EntrySize;

    public static (ulong Term, ushort Frequency) Entry(ReadOnlySpan<byte> postings, int index)
    {
        var e = postings.Slice(index * EntrySize, EntrySize);
        return (BinaryPrimitives.ReadUInt64LittleEndian(e), BinaryPrimitives.ReadUInt16LittleEndian(e[8..]));
    }

    /// <summary>Hashes the terms of a text with the tenant's key and counts them.</summary>
    public static Dictionary<ulong, int> Frequencies(TenantKey key, IEnumerable<string> terms)
    {
        var f = new Dictionary<ulong, int>();
        foreach (var t in terms)
        {
            var h = key.TermHash(t);
            f[h] = f.TryGetValue(h, out var n) ? n + 1 : 1;
        }
        return f;
    }
}
