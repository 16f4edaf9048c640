namespace Attest.Audit.Merkle;

/// <summary>
/// RFC 9162 §2.1.3.2 and §2.1.4.2 proof verification. Every hash length, index, size and proof
/// length is checked; anything malformed returns false rather than throwing. Stateless and thread-safe.
/// </summary>
public static class MerkleVerifier
{
    public static bool VerifyInclusion(ReadOnlySpan<byte> leafHash, long index, long size, IReadOnlyList<byte[]> proof, ReadOnlySpan<byte> root)
    {
        if (index < 0 || size <= 0 || index >= size) return false;
        if (leafHash.Length != MerkleHash.Size || root.Length != MerkleHash.Size) return false;
        var fn = index;
        var sn = size - 1;
        var r = leafHash.ToArray();
        foreach (var p in proof)
        {
            if (p is null || p.Length != MerkleHash.Size) return false;
            if (sn == 0) return false;
            if ((fn & 1) == 1 || fn == sn)
            {
                r = MerkleHash.Node(p, r);
                while ((fn & 1) == 0 && fn != 0)
                {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
            else
            {
                r = MerkleHash.Node(r, p);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 && r.AsSpan().SequenceEqual(root);
    }

    public static bool VerifyConsistency(long first, long second, ReadOnlySpan<byte> firstRoot, ReadOnlySpan<byte> secondRoot, IReadOnlyList<byte[]> proof)
    {
        if (first < 0 || second < first) return false;
        if (firstRoot.Length != MerkleHash.Size || secondRoot.Length != MerkleHash.Size) return false;
        if (first == second) return proof.Count == 0 && firstRoot.SequenceEqual(secondRoot);
        if (first == 0) return proof.Count == 0 && firstRoot.SequenceEqual(MerkleHash.EmptyRoot);
        if (proof.Count == 0) return false;
        foreach (var p in proof) if (p is null || p.Length != MerkleHash.Size) return false;

        var path = new List<byte[]>(proof.Count + 1);
        if ((first & (first - 1)) == 0) path.Add(firstRoot.ToArray());
        path.AddRange(proof);
        var fn = first - 1;
        var sn = second - 1;
        while ((fn & 1) == 1)
        {
            fn >>= 1;
            sn >>= 1;
        }
        var fr = path[0];
        var sr = path[0];
        for (var i = 1; i < path.Count; i++)
        {
            var c = path[i];
            if (sn == 0) return false;
            if ((fn & 1) == 1 || fn == sn)
            {
                fr = MerkleHash.Node(c, fr);
                sr = MerkleHash.Node(c, sr);
                while ((fn & 1) == 0 && fn != 0)
                {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
            else
            {
                sr = MerkleHash.Node(sr, c);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 && fr.AsSpan().SequenceEqual(firstRoot) && sr.AsSpan().SequenceEqual(secondRoot);
    }
}
