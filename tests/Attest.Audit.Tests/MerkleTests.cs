using Attest.Audit.Merkle;

namespace Attest.Audit.Tests;

public class MerkleTests
{
    // RFC 6962 reference inputs and roots (certificate-transparency / transparency-dev test vectors).
    private static readonly byte[][] Inputs = [.. new[] { "", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f" }.Select(Convert.FromHexString)];
    private static readonly string[] Roots =
    [
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];

    private static MerkleTree Reference()
    {
        var t = new MerkleTree();
        foreach (var i in Inputs) t.Append(MerkleHash.Leaf(i));
        return t;
    }

    private static string Hex(byte[] b) => Convert.ToHexStringLower(b);

    [Fact]
    public void Roots_match_the_RFC6962_reference_tree_for_every_size()
    {
        var t = Reference();
        for (var n = 0; n <= 8; n++) Assert.Equal(Roots[n], Hex(t.Root(n)));
        var frontier = new CompactRange();
        Assert.Equal(Roots[0], Hex(frontier.Root()));
        foreach (var i in Inputs) frontier.Append(MerkleHash.Leaf(i));
        Assert.Equal(Roots[8], Hex(frontier.Root()));
    }

    [Theory]
    [InlineData(0, 8, "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7,5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e,6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4")]
    [InlineData(5, 8, "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b,ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0,d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")]
    public void Inclusion_proofs_match_the_reference_vectors(long index, long size, string expected)
    {
        var t = Reference();
        var proof = t.InclusionProof(index, size);
        Assert.Equal(expected.Split(','), proof.Select(Hex));
        Assert.True(MerkleVerifier.VerifyInclusion(t.LeafHash(index), index, size, proof, Convert.FromHexString(Roots[size])));
    }

    [Theory]
    [InlineData(2, 8, "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e,6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4")]
    [InlineData(6, 8, "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a,ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0,d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")]
    public void Consistency_proofs_match_the_reference_vectors(long first, long second, string expected)
    {
        var t = Reference();
        var proof = t.ConsistencyProof(first, second);
        Assert.Equal(expected.Split(','), proof.Select(Hex));
        Assert.True(MerkleVerifier.VerifyConsistency(first, second, Convert.FromHexString(Roots[first]), Convert.FromHexString(Roots[second]), proof));
    }

    // Naive RFC 9162 §2.1 definitions, straight from the text, as the independent implementation.
    private static byte[] NaiveRoot(List<byte[]> leaves) => leaves.Count switch
    {
        0 => MerkleHash.EmptyRoot,
        1 => leaves[0],
        _ => MerkleHash.Node(NaiveRoot(leaves[..Split(leaves.Count)]), NaiveRoot(leaves[Split(leaves.Count)..])),
    };

    private static List<byte[]> NaivePath(int m, List<byte[]> d)
    {
        if (d.Count == 1) return [];
        var k = Split(d.Count);
        return m < k ? [.. NaivePath(m, d[..k]), NaiveRoot(d[k..])] : [.. NaivePath(m - k, d[k..]), NaiveRoot(d[..k])];
    }

    private static List<byte[]> NaiveSubProof(int m, List<byte[]> d, bool b)
    {
        if (m == d.Count) return b ? [] : [NaiveRoot(d)];
        var k = Split(d.Count);
        return m <= k ? [.. NaiveSubProof(m, d[..k], b), NaiveRoot(d[k..])] : [.. NaiveSubProof(m - k, d[k..], false), NaiveRoot(d[..k])];
    }

    private static int Split(int n)
    {
        var k = 1;
        while (k * 2 < n) k *= 2;
        return k;
    }

    private static void CheckSize(MerkleTree tree, List<byte[]> leaves, int n, Random rng)
    {
        var d = leaves[..n];
        var root = NaiveRoot(d);
        Assert.Equal(Hex(root), Hex(tree.Root(n)));
        for (var m = 0; m < n; m++)
        {
            var proof = tree.InclusionProof(m, n);
            Assert.Equal(NaivePath(m, d).Select(Hex), proof.Select(Hex));
            Assert.True(MerkleVerifier.VerifyInclusion(leaves[m], m, n, proof, root));
            Assert.False(MerkleVerifier.VerifyInclusion(leaves[(m + 1) % leaves.Count], m, n, proof, root) && n > 1 && leaves.Count > 1);
            if (proof.Count > 0)
            {
                var bad = proof.Select(p => (byte[])p.Clone()).ToList();
                bad[rng.Next(bad.Count)][rng.Next(32)] ^= 1;
                Assert.False(MerkleVerifier.VerifyInclusion(leaves[m], m, n, bad, root));
                Assert.False(MerkleVerifier.VerifyInclusion(leaves[m], m, n, proof.Take(proof.Count - 1).ToList(), root));
                Assert.False(MerkleVerifier.VerifyInclusion(leaves[m], m, n, [.. proof, new byte[32]], root));
            }
        }
        for (var m = 0; m <= n; m++)
        {
            var proof = tree.ConsistencyProof(m, n);
            var expected = m == 0 || m == n ? [] : NaiveSubProof(m, d, true);
            Assert.Equal(expected.Select(Hex), proof.Select(Hex));
            Assert.True(MerkleVerifier.VerifyConsistency(m, n, tree.Root(m), root, proof));
            if (proof.Count > 0)
            {
                var bad = proof.Select(p => (byte[])p.Clone()).ToList();
                bad[rng.Next(bad.Count)][rng.Next(32)] ^= 1;
                Assert.False(MerkleVerifier.VerifyConsistency(m, n, tree.Root(m), root, bad));
                Assert.False(MerkleVerifier.VerifyConsistency(m, n, tree.Root(m), root, proof.Take(proof.Count - 1).ToList()));
                Assert.False(MerkleVerifier.VerifyConsistency(m, n, tree.Root(m), root, [.. proof, new byte[32]]));
            }
            if (m > 0 && m < n) Assert.False(MerkleVerifier.VerifyConsistency(m, n, tree.Root(m - 1), root, proof));
        }
    }

    [Fact]
    public void Tree_matches_the_naive_implementation_for_every_size_up_to_64()
    {
        var rng = new Random(6962);
        var leaves = Enumerable.Range(0, 64).Select(i => MerkleHash.Leaf(BitConverter.GetBytes(i))).ToList();
        var tree = new MerkleTree();
        foreach (var l in leaves) tree.Append(l);
        for (var n = 1; n <= 64; n++) CheckSize(tree, leaves, n, rng);
    }

    [Fact]
    public void Tree_matches_the_naive_implementation_at_random_larger_sizes()
    {
        var rng = new Random(9162);
        var leaves = Enumerable.Range(0, 1100).Select(i => MerkleHash.Leaf(BitConverter.GetBytes(i * 31))).ToList();
        var tree = new MerkleTree();
        foreach (var l in leaves) tree.Append(l);
        for (var i = 0; i < 6; i++)
        {
            var n = rng.Next(65, leaves.Count + 1);
            var d = leaves[..n];
            var root = NaiveRoot(d);
            Assert.Equal(Hex(root), Hex(tree.Root(n)));
            for (var j = 0; j < 25; j++)
            {
                var m = rng.Next(n);
                Assert.Equal(NaivePath(m, d).Select(Hex), tree.InclusionProof(m, n).Select(Hex));
                var f = rng.Next(1, n);
                Assert.Equal(NaiveSubProof(f, d, true).Select(Hex), tree.ConsistencyProof(f, n).Select(Hex));
                Assert.True(MerkleVerifier.VerifyConsistency(f, n, NaiveRoot(d[..f]), root, tree.ConsistencyProof(f, n)));
            }
        }
    }

    [Fact]
    public void Verifiers_reject_malformed_input_without_throwing()
    {
        var t = Reference();
        var root = t.Root(8);
        var proof = t.InclusionProof(5, 8);
        Assert.False(MerkleVerifier.VerifyInclusion(new byte[31], 5, 8, proof, root));
        Assert.False(MerkleVerifier.VerifyInclusion(t.LeafHash(5), 8, 8, proof, root));
        Assert.False(MerkleVerifier.VerifyInclusion(t.LeafHash(5), -1, 8, proof, root));
        Assert.False(MerkleVerifier.VerifyInclusion(t.LeafHash(5), 5, 8, [new byte[31], .. proof.Skip(1)], root));
        Assert.True(MerkleVerifier.VerifyConsistency(0, 8, MerkleHash.EmptyRoot, root, []));
        Assert.False(MerkleVerifier.VerifyConsistency(0, 8, t.Root(1), root, []));
        Assert.True(MerkleVerifier.VerifyConsistency(4, 4, t.Root(4), t.Root(4), []));
        Assert.False(MerkleVerifier.VerifyConsistency(4, 4, t.Root(4), t.Root(4), [new byte[32]]));
        Assert.False(MerkleVerifier.VerifyConsistency(6, 8, t.Root(6), root, []));
        Assert.False(MerkleVerifier.VerifyConsistency(8, 6, root, t.Root(6), t.ConsistencyProof(6, 8)));
        Assert.Throws<ArgumentOutOfRangeException>(() => t.InclusionProof(8, 8));
        Assert.Throws<ArgumentOutOfRangeException>(() => t.ConsistencyProof(5, 9));
    }
}
