using System.Security.Cryptography;

namespace Attest.Retrieval.Tests;

public class CryptoAndIndexTests
{
    [Fact]
    public void Ciphertext_is_bound_to_its_place_and_tenant_keys_hash_terms_differently()
    {
        var root = RandomNumberGenerator.GetBytes(32);
        var acme = new TenantKey("acme", root);
        var ct = acme.EncryptString("secret text", TenantKey.ChunkContext("acme", "wiki", "a", 0));
        Assert.Equal("secret text", acme.DecryptString(ct, TenantKey.ChunkContext("acme", "wiki", "a", 0)));
        Assert.ThrowsAny<CryptographicException>(() => acme.DecryptString(ct, TenantKey.ChunkContext("acme", "wiki", "b", 0)));
        var globex = new TenantKey("globex", root);
        Assert.ThrowsAny<CryptographicException>(() => globex.DecryptString(ct, TenantKey.ChunkContext("acme", "wiki", "a", 0)));
        Assert.NotEqual(acme.TermHash("merger"), globex.TermHash("merger"));
        Assert.Equal(acme.TermHash("merger"), new TenantKey("acme", root).TermHash("merger"));
    }

    [Fact]
    public void Master_key_wraps_per_tenant_and_file_is_created_once()
    {
        var path = Path.Combine(Path.GetTempPath(), "attest-mk-" + Guid.NewGuid().ToString("n"), MasterKey.FileName);
        var m1 = MasterKey.LoadOrCreate(path);
        var m2 = MasterKey.LoadOrCreate(path);
        var wrapped = m1.Wrap("acme", new byte[32]);
        Assert.Equal(new byte[32], m2.Unwrap("acme", wrapped));
        Assert.ThrowsAny<CryptographicException>(() => m2.Unwrap("globex", wrapped));
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        File.WriteAllText(path, "short");
        Assert.Throws<InvalidOperationException>(() => MasterKey.LoadOrCreate(path));
    }

    [Fact]
    public void Index_filters_by_acl_deny_connector_and_classification_while_ranking()
    {
        var key = new TenantKey("t", RandomNumberGenerator.GetBytes(32));
        IndexedDocument Doc(string id, string connector, string cls, string text, string[] allow, string[]? deny = null)
        {
            var terms = Tokenizer.Terms(text);
            return new(new DocumentKey(connector, id), cls, id, DocumentAcl.Of(allow, deny),
                [new IndexedChunk(0, PostingsCodec.Encode(PostingsCodec.Frequencies(key, terms)), terms.Count, null)]);
        }
        var index = new TenantIndex("t");
        index.Apply([
            Doc("a", "wiki", "internal", "budget budget budget plan", ["group:fin"]),
            Doc("b", "wiki", "internal", "budget plan", ["group:fin"], ["user:eve"]),
            Doc("c", "hr", "confidential", "budget review", ["user:eve", "group:fin"]),
        ], [], 1, (_, _) => null);
        var q = new[] { key.TermHash("budget") };
        var fin = index.Search(q, null, new SearchFilter(["user:ann", "group:fin"]), 10);
        Assert.Equal(["a", "b", "c"], fin.Select(h => h.Key.DocumentId).Order());
        Assert.Equal("a", fin[0].Key.DocumentId);
        Assert.Equal(["a", "c"], index.Search(q, null, new SearchFilter(["user:eve", "group:fin"]), 10).Select(h => h.Key.DocumentId).Order()); // b denies eve
        Assert.Equal(["c"], index.Search(q, null, new SearchFilter(["group:fin"], Connectors: new HashSet<string> { "hr" }), 10).Select(h => h.Key.DocumentId));
        Assert.Equal(2, index.Search(q, null, new SearchFilter(["group:fin"], Classifications: new HashSet<string> { "internal" }), 10).Count);
        Assert.Empty(index.Search(q, null, new SearchFilter(["user:nobody"]), 10));
        // ACL-only change applies without re-indexing, and removal drops the document.
        index.Apply([Doc("a", "wiki", "internal", "budget budget budget plan", ["user:zed"])], [new DocumentKey("wiki", "a"), new DocumentKey("hr", "c")], 2, (_, _) => null);
        Assert.Equal(["b"], index.Search(q, null, new SearchFilter(["group:fin"]), 10).Select(h => h.Key.DocumentId));
        Assert.Equal(2, index.LiveDocuments);
        Assert.Equal(2, index.Version);
    }

    [Fact]
    public void Hashed_embedder_is_deterministic_normalised_and_similar_for_shared_words()
    {
        var e = new HashedBagOfWordsEmbedder();
        var a = e.Embed("parental leave policy");
        Assert.Equal(a, new HashedBagOfWordsEmbedder().Embed("parental leave policy"));
        Assert.Equal(1f, System.Numerics.Tensors.TensorPrimitives.Norm(a), 3);
        var near = System.Numerics.Tensors.TensorPrimitives.CosineSimilarity(a, e.Embed("policy on parental leave"));
        var far = System.Numerics.Tensors.TensorPrimitives.CosineSimilarity(a, e.Embed("quarterly revenue forecast"));
        Assert.True(near > far + 0.3f, $"near {near} far {far}");
    }
}
