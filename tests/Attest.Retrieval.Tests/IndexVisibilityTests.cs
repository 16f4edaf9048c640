using System.Security.Cryptography;

namespace Attest.Retrieval.Tests;

public class IndexVisibilityTests
{
    private static readonly TenantKey Key = new("t", RandomNumberGenerator.GetBytes(32));

    private static IndexedDocument Doc(string id, string text, string[] allow, string[]? deny = null, string mac = "m")
    {
        var terms = Tokenizer.Terms(text);
        return new(new DocumentKey("wiki", id), "internal", mac + id, DocumentAcl.Of(allow, deny),
            [new IndexedChunk(0, PostingsCodec.Encode(PostingsCodec.Frequencies(Key, terms)), terms.Count, null)]);
    }

    private static string[] Ids(TenantIndex index, string[] subjects, int want = 10) =>
        [.. index.Search([Key.TermHash("budget")], null, new SearchFilter(subjects), want).Select(h => h.Key.DocumentId)];

    [Fact]
    public void Acl_changes_take_effect_although_the_allow_index_keeps_old_subjects()
    {
        var index = new TenantIndex("t");
        index.Apply([Doc("a", "budget plan", ["group:old"])], [], 1, (_, _) => null);
        Assert.Equal(["a"], Ids(index, ["group:old"]));
        // Same content, new ACL: the old subject no longer sees it, the new one does, a deny wins over any allow.
        index.Apply([Doc("a", "budget plan", ["group:new"], ["user:eve"])], [new DocumentKey("wiki", "a")], 2, (_, _) => null);
        Assert.Empty(Ids(index, ["group:old"]));
        Assert.Equal(["a"], Ids(index, ["group:old", "group:new"]));
        Assert.Empty(Ids(index, ["group:old", "group:new", "user:eve"]));
        // New content and ACL (re-indexed into a new slot) and then deletion.
        index.Apply([Doc("a", "budget budget", ["user:bob"], mac: "n")], [new DocumentKey("wiki", "a")], 3, (_, _) => null);
        Assert.Empty(Ids(index, ["group:new"]));
        Assert.Equal(["a"], Ids(index, ["user:bob"]));
        index.Apply([], [new DocumentKey("wiki", "a")], 4, (_, _) => null);
        Assert.Empty(Ids(index, ["user:bob"]));
    }

    [Fact]
    public void Bounded_top_k_returns_the_best_visible_chunks_in_order()
    {
        var rng = new Random(3);
        var docs = Enumerable.Range(0, 300).Select(i => Doc("d" + i,
            string.Join(' ', Enumerable.Range(0, 5 + rng.Next(40)).Select(_ => rng.Next(4) == 0 ? "budget" : "w" + rng.Next(50))),
            [rng.Next(3) == 0 ? "group:a" : "group:b"], rng.Next(10) == 0 ? ["user:u"] : null)).ToList();
        var index = new TenantIndex("t");
        index.Apply(docs, [], 1, (_, _) => null);
        var all = index.Search([Key.TermHash("budget")], null, new SearchFilter(["group:a", "user:u"]), 1000);
        Assert.NotEmpty(all);
        Assert.All(all, h => Assert.Contains(docs, d => d.Key == h.Key && d.Acl.Allow.Contains("group:a") && !d.Acl.Deny.Contains("user:u")));
        var expected = all.OrderByDescending(h => h.Score).ThenBy(h => int.Parse(h.Key.DocumentId[1..], System.Globalization.CultureInfo.InvariantCulture)).Take(7);
        Assert.Equal(expected.Select(h => h.Key.DocumentId), Ids(index, ["group:a", "user:u"], 7));
    }

    [Fact]
    public void Pruned_top_k_matches_exhaustive_ranking_for_mixed_rare_and_common_terms()
    {
        var rng = new Random(5);
        // Zipf-like words: w0 is in almost every chunk, w40+ are rare.
        string Word() => "w" + (int)Math.Floor(Math.Pow(rng.NextDouble(), 3) * 60);
        var docs = Enumerable.Range(0, 400).Select(i => Doc("d" + i, string.Join(' ', Enumerable.Range(0, 10 + rng.Next(60)).Select(_ => Word())),
            [rng.Next(2) == 0 ? "group:a" : "group:b"])).ToList();
        var index = new TenantIndex("t");
        index.Apply(docs, [], 1, (_, _) => null);
        var filter = new SearchFilter(["group:a"]);
        for (int q = 0; q < 200; q++)
        {
            var terms = Enumerable.Range(0, 1 + rng.Next(4)).Select(_ => Key.TermHash(Word())).ToList();
            var exhaustive = index.Search(terms, null, filter, 100_000);
            var pruned = index.Search(terms, null, filter, 5);
            Assert.Equal(exhaustive.Take(5).Select(h => h.Key.DocumentId), pruned.Select(h => h.Key.DocumentId));
            Assert.All(pruned.Zip(exhaustive), p => Assert.Equal(p.Second.Score, p.First.Score, 4));
        }
    }
}
