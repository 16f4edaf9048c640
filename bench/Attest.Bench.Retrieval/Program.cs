using System.Diagnostics;
using System.Security.Cryptography;
using Attest.Core.Config;
using Attest.Core.Identity;
using Attest.Retrieval;
using Attest.Storage;
using Attest.Storage.Retrieval;
using Microsoft.Extensions.Logging.Abstractions;

// Retrieval benchmark: ingestion throughput through the real service and SQLite store, then BM25 query latency with
// ACL filtering on one tenant's in-memory index at 100k and 1M chunks.
// Usage: dotnet run -c Release --project bench/Attest.Bench.Retrieval [ingestChunks=20000 (0 skips)] [sizes=100000,1000000] [queries=1000]
var ingestChunks = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 20_000;
var sizes = args.Length > 1 ? args[1].Split(',').Select(s => int.Parse(s, System.Globalization.CultureInfo.InvariantCulture)).ToArray() : [100_000, 1_000_000];
var queries = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 1_000;
var vocab = new Zipf(20_000, 1.0, seed: 7);
Console.WriteLine($"Attest retrieval benchmark — {Environment.ProcessorCount} cores, .NET {Environment.Version}");

if (ingestChunks > 0) await IngestAsync(ingestChunks, vocab);
foreach (var n in sizes) Query(n, vocab, queries);

static async Task IngestAsync(int chunks, Zipf vocab)
{
    var dir = Path.Combine(Path.GetTempPath(), "attest-bench-retrieval-" + Environment.ProcessId);
    await using var db = new SqliteDatabase(Path.Combine(dir, "attest.db"));
    await MigrationRunner.ApplyAsync(db);
    var policy = new StaticPolicySource(ConfigLoader.FromText("""
        tenants: [{ id: bench }]
        connectors: [{ id: wiki, owner: bench, classification: internal, retention: 30d, evalCases: [{ query: q }] }]
        """));
    var service = new RetrievalService(new SqlRetrievalStore(db), policy, new MasterKey(RandomNumberGenerator.GetBytes(32)), TimeProvider.System,
        NullLogger<RetrievalService>.Instance, options: new RetrievalOptions { ChunkWords = 200, ChunkOverlapWords = 40 });
    var id = new RequestIdentity { Tenant = "bench", Principal = "bench" };
    var rng = new Random(1);
    // 1,640 words per document = 10 chunks of 200 words with 40 words of overlap.
    var docs = Enumerable.Range(0, chunks / 10).Select(i => new DocumentInput
    {
        Id = "doc" + i, Connector = "wiki", Title = "Doc " + i, Text = string.Join(' ', Enumerable.Range(0, 1640).Select(_ => vocab.Word(rng))),
        Acl = DocumentAcl.Of(["group:g" + rng.Next(100)]),
    }).ToList();
    await service.IngestAsync(id, docs.Take(10).ToList()); // warm-up (key creation, JIT)
    var cpu = Process.GetCurrentProcess().TotalProcessorTime;
    var sw = Stopwatch.StartNew();
    int written = 0;
    foreach (var batch in docs.Skip(10).Chunk(100)) written += (await service.IngestAsync(id, batch)).Sum(o => o.Chunks);
    sw.Stop();
    cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
    Console.WriteLine($"ingest: {written:N0} chunks in {sw.Elapsed.TotalSeconds:F2} s = {written / sw.Elapsed.TotalSeconds:N0} chunks/s (SQLite, encrypted, batches of 100 documents); " +
        $"process CPU {cpu.TotalSeconds:F2} s = {written / cpu.TotalSeconds:N0} chunks per CPU-second");
    var caller = new RequestIdentity { Tenant = "bench", EndUser = "u", Groups = [.. Enumerable.Range(0, 10).Select(g => "g" + g)] };
    var lat = new List<double>();
    for (int q = 0; q < 300; q++)
    {
        var t = Stopwatch.StartNew();
        await service.QueryAsync(caller, new RetrievalRequest { Query = $"{vocab.Word(rng)} {vocab.Word(rng)} {vocab.Word(rng)}", TopK = 10 });
        lat.Add(t.Elapsed.TotalMilliseconds);
    }
    Console.WriteLine($"service query end to end ({written:N0} chunks, SQLite, version check + decrypt, no guards): p50 {P(lat, 50):F2} ms, p99 {P(lat, 99):F2} ms");
    try { Directory.Delete(dir, true); } catch (IOException) { }
}

static void Query(int chunks, Zipf vocab, int queries)
{
    var key = new TenantKey("bench", RandomNumberGenerator.GetBytes(32));
    var index = new TenantIndex("bench");
    var rng = new Random(chunks);
    var build = Stopwatch.StartNew();
    const int chunksPerDoc = 10, termsPerChunk = 120;
    var hashes = Enumerable.Range(0, vocab.Count).Select(i => key.TermHash(vocab.Text(i))).ToArray();
    for (int start = 0; start < chunks; start += 10_000)
    {
        var docs = new List<IndexedDocument>();
        for (int d = start / chunksPerDoc; d < (start + 10_000) / chunksPerDoc; d++)
        {
            var cs = new List<IndexedChunk>();
            for (int c = 0; c < chunksPerDoc; c++)
            {
                var f = new Dictionary<ulong, int>();
                for (int t = 0; t < termsPerChunk; t++) { var h = hashes[vocab.Rank(rng)]; f[h] = f.GetValueOrDefault(h) + 1; }
                cs.Add(new IndexedChunk(c, PostingsCodec.Encode(f), termsPerChunk, null));
            }
            // 1,000 groups; each document is open to one or two of them.
            var allow = Enumerable.Range(0, 1 + rng.Next(2)).Select(_ => "group:g" + rng.Next(1000));
            docs.Add(new IndexedDocument(new DocumentKey("wiki", "doc" + d), "internal", "mac", DocumentAcl.Of(allow), cs));
        }
        index.Apply(docs, [], 1, (_, _) => null);
    }
    build.Stop();
    // The caller is in 50 of the 1,000 groups: about 7% of the documents are visible.
    var filter = new SearchFilter([.. Enumerable.Range(0, 50).Select(g => "group:g" + g), "user:u"]);
    var lat = new List<double>();
    int nonEmpty = 0;
    for (int q = 0; q < queries + 100; q++)
    {
        var terms = Enumerable.Range(0, 2 + rng.Next(3)).Select(_ => hashes[vocab.Rank(rng)]).ToList();
        var t = Stopwatch.StartNew();
        var hits = index.Search(terms, null, filter, 10);
        t.Stop();
        if (q >= 100) { lat.Add(t.Elapsed.TotalMilliseconds); if (hits.Count > 0) nonEmpty++; }
    }
    Console.WriteLine($"query BM25 + ACL filter, {chunks:N0} chunks ({termsPerChunk} terms each, built in {build.Elapsed.TotalSeconds:F1} s): " +
        $"p50 {P(lat, 50):F2} ms, p99 {P(lat, 99):F2} ms over {lat.Count} queries of 2–4 Zipf terms ({nonEmpty} with results)");
}

static double P(List<double> xs, int p)
{
    var s = xs.Order().ToList();
    return s[Math.Min(s.Count - 1, (int)Math.Ceiling(p / 100.0 * s.Count) - 1)];
}

/// <summary>Words drawn with Zipf-distributed frequency, like natural text.</summary>
internal sealed class Zipf
{
    private readonly double[] _cdf;
    private readonly string[] _words;

    public Zipf(int count, double s, int seed)
    {
        _words = [.. Enumerable.Range(0, count).Select(i => "w" + i.ToString("x", System.Globalization.CultureInfo.InvariantCulture))];
        _cdf = new double[count];
        double sum = 0;
        for (int i = 0; i < count; i++) { sum += 1 / Math.Pow(i + 1, s); _cdf[i] = sum; }
        for (int i = 0; i < count; i++) _cdf[i] /= sum;
        _ = seed;
    }

    public int Count => _words.Length;
    public string Text(int rank) => _words[rank];
    public int Rank(Random rng)
    {
        var i = Array.BinarySearch(_cdf, rng.NextDouble());
        return Math.Min(i < 0 ? ~i : i, _words.Length - 1);
    }
    public string Word(Random rng) => _words[Rank(rng)];
}
