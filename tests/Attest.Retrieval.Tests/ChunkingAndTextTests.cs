using Attest.Core.Config;

namespace Attest.Retrieval.Tests;

public class ChunkingAndTextTests
{
    [Fact]
    public void Chunks_overlap_by_the_configured_words_and_cover_every_word()
    {
        var words = Enumerable.Range(0, 50).Select(i => "w" + i).ToList();
        var chunks = Chunker.Split(string.Join("  ", words), 20, 5);
        Assert.Equal(3, chunks.Count);
        Assert.StartsWith("w0  w1", chunks[0]);
        Assert.StartsWith("w15 ", chunks[1].Replace("  ", " "));
        Assert.EndsWith("w49", chunks[^1]);
        var covered = chunks.SelectMany(c => Tokenizer.Terms(c)).ToHashSet();
        Assert.True(words.All(covered.Contains));
    }

    [Fact]
    public void Chunk_property_every_word_in_order_for_random_sizes()
    {
        var rng = new Random(11);
        for (int run = 0; run < 300; run++)
        {
            int n = rng.Next(0, 400), size = rng.Next(16, 64), overlap = rng.Next(0, size);
            var words = Enumerable.Range(0, n).Select(i => "t" + i).ToList();
            var chunks = Chunker.Split(string.Join(' ', words), size, overlap);
            var seen = new List<string>();
            foreach (var c in chunks)
            {
                var terms = Tokenizer.Terms(c);
                Assert.True(terms.Count <= size);
                seen.AddRange(seen.Count == 0 ? terms : terms.Skip(Math.Min(overlap, terms.Count)));
            }
            Assert.Equal(words, seen);
        }
    }

    [Fact]
    public void Html_loses_tags_scripts_and_styles_and_json_keeps_string_values()
    {
        var (title, text) = DocumentText.Extract("a.html", "<html><head><title>Leave &amp; Pay</title><style>p{}</style></head><body><script>alert(1)</script><p>Parental&nbsp;leave</p></body></html>");
        Assert.Equal("Leave & Pay", title);
        Assert.Contains("Parental", text);
        Assert.DoesNotContain("alert", text);
        Assert.DoesNotContain("<p>", text);
        var (_, json) = DocumentText.Extract("b.json", """{"title":"Refunds","n":3,"items":["within 30 days",{"x":"store credit"}]}""");
        Assert.Equal("Refunds\nwithin 30 days\nstore credit", json);
        var bad = Assert.Throws<RetrievalException>(() => DocumentText.Extract("c.json", "{\n  \"a\": ]"));
        Assert.StartsWith("c.json:2:", bad.Message);
        Assert.Equal("unsupported_file", Assert.Throws<RetrievalException>(() => DocumentText.Extract("d.pdf", "")).Code);
    }

    [Fact]
    public void Connector_problems_name_every_missing_field()
    {
        var p = ConnectorCatalog.Problems(new ConnectorConfig { Id = "x", Classification = "secret", Retention = "forever" });
        Assert.Equal(4, p.Count);
        Assert.Contains(p, m => m.Contains("owner", StringComparison.Ordinal));
        Assert.Contains(p, m => m.Contains("'secret'", StringComparison.Ordinal));
        Assert.Contains(p, m => m.Contains("'forever'", StringComparison.Ordinal));
        Assert.Empty(ConnectorCatalog.Problems(new ConnectorConfig { Id = "x", Owner = "o", Classification = "internal", Retention = "30d", EvalCases = [new() { Query = "q" }] }));
    }
}
