using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Attest.Audit.Checkpoints;
using Attest.Audit.Crypto;
using Attest.Audit.Log;
using Attest.Audit.Merkle;
using Attest.Audit.Verification;
using Attest.Core.Audit;
using Attest.Storage;
using Attest.Storage.Audit;
using Npgsql;

// Audit benchmarks: durable appends/s with 64 and 256 concurrent writers (SQLite, PostgreSQL), verification
// entries/s, proof latency at 1M (and 10M with --10m). --writers 64,256 picks the writer counts.
if (args.Contains("--profile-hash")) { HashProfile.Run(); return; }
if (args.Contains("--profile")) { await Profile.RunAsync(); return; }
var events = args.Contains("--quick") ? 5_000 : 40_000;
var writerCounts = args.SkipWhile(a => a != "--writers").Skip(1).FirstOrDefault() is { } w0
    ? [.. w0.Split(',').Select(int.Parse)] : new[] { 64, 256 };
var key = CheckpointKey.Generate("attest");
var master = PayloadCrypto.NewKey();

async Task<(List<VerifyRow> Rows, List<StoredCheckpoint> Cps)> AppendBench(AttestDatabase db, string name)
{
    await MigrationRunner.ApplyAsync(db);
    var store = new TimedStore(new SqlAuditStore(db));
    await using var log = new AuditLog(store, new AuditLogOptions { SigningKey = key, MasterKey = master, CheckpointEvery = 1000 });
    foreach (var writers in writerCounts) await Run(log, name, writers);
    await log.CheckpointAsync();
    var rows = new List<VerifyRow>();
    await foreach (var r in store.ReadRowsAsync(0, long.MaxValue)) rows.Add(new VerifyRow(r.Canonical, r.ChainHash, r.Payload));
    return (rows, [.. await store.ReadCheckpointsAsync()]);
}

async Task Run(AuditLog log, string name, int writers)
{
    var next = -1;
    var timed = (TimedStore)log.Store;
    var (batches0, commitTicks0) = (timed.Batches, timed.CommitTicks);
    var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
    var sw = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
    {
        int i;
        while ((i = Interlocked.Increment(ref next)) < events)
            await log.AppendAsync(new AuditRecord
            {
                Type = AuditEventTypes.ChatRequest, Tenant = "acme", Subject = $"acme/user/u{i % 50}", DataClass = "prompts",
                Actor = new AuditActor { KeyId = $"k{w}" }, Model = new AuditModel("gpt", "gpt-4o-2024-08-06", "openai"), Decision = "allow",
                InputTokens = 120, OutputTokens = 300, LatencyMs = 812.5, Digests = new Dictionary<string, string> { ["prompt"] = new string('a', 64) },
                Payload = new JsonObject { ["prompt"] = "redacted prompt text of moderate length for the benchmark", ["i"] = i },
            });
    })));
    var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu0;
    var batches = timed.Batches - batches0;
    Console.WriteLine($"{name}: {events} durable appends, {writers} concurrent writers: {events / sw.Elapsed.TotalSeconds:N0} events/s" +
        $" ({batches} commits, {(double)events / batches:F1} events per commit, {TimeSpan.FromTicks((timed.CommitTicks - commitTicks0) / Math.Max(1, batches)).TotalMilliseconds:F2} ms per commit," +
        $" {cpu.TotalMicroseconds / events:F1} µs of process CPU per event = {events / cpu.TotalSeconds:N0} events per CPU-second)");
}

var dir = Path.Combine(Path.GetTempPath(), "attest-bench-audit-" + Guid.NewGuid().ToString("n"));
await using (var sqlite = new SqliteDatabase(Path.Combine(dir, "attest.db")))
{
    var (rows, cps) = await AppendBench(sqlite, "SQLite (WAL, synchronous=FULL)");
    for (var round = 0; round < (args.Contains("--append-only") ? 0 : 3); round++)
    {
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        var v = new AuditVerifier(cps, [key]);
        if (round % 2 == 0) v.AddRange(rows);
        else foreach (var r in rows) v.Add(r);
        var report = v.Finish();
        if (!report.Ok) throw new InvalidOperationException(report.Message);
        Console.WriteLine($"verification (in memory, leaf + chain + payload digest + tree + checkpoints), round {round + 1} ({(round % 2 == 0 ? "AddRange, parallel leaf hashing" : "Add, one thread")}): {rows.Count / sw.Elapsed.TotalSeconds:N0} entries/s" +
            $" ({rows.Count / (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds:N0} entries per CPU-second)");
    }
}
Directory.Delete(dir, true);

if (Environment.GetEnvironmentVariable("ATTEST_TEST_POSTGRES") is { } cs)
{
    var name = "attest_bench_" + Guid.NewGuid().ToString("n");
    await using (var admin = new NpgsqlConnection(cs))
    {
        await admin.OpenAsync();
        await using var cmd = admin.CreateCommand();
        cmd.CommandText = $"CREATE DATABASE {name}";
        await cmd.ExecuteNonQueryAsync();
    }
    await using var pg = new PostgresDatabase(new NpgsqlConnectionStringBuilder(cs) { Database = name }.ToString());
    await AppendBench(pg, "PostgreSQL (synchronous_commit on)");
}
else Console.WriteLine("PostgreSQL: skipped (set ATTEST_TEST_POSTGRES)");

foreach (var size in args.Contains("--append-only") ? [] : args.Contains("--10m") ? new[] { 1_000_000L, 10_000_000L } : [1_000_000L])
{
    var tree = new MerkleTree();
    var buf = new byte[32];
    var sw = Stopwatch.StartNew();
    for (long i = 0; i < size; i++)
    {
        BitConverter.TryWriteBytes(buf, i);
        tree.Append(SHA256.HashData(buf));
    }
    Console.WriteLine($"tree of {size:N0} leaves built in {sw.Elapsed.TotalSeconds:F1} s");
    var rng = new Random(1);
    const int n = 20_000;
    sw.Restart();
    for (var i = 0; i < n; i++)
    {
        var s = rng.NextInt64(1, size + 1);
        tree.InclusionProof(rng.NextInt64(0, s), s);
    }
    Console.WriteLine($"inclusion proof at {size:N0}: {sw.Elapsed.TotalMicroseconds / n:F1} µs each (random index and size)");
    sw.Restart();
    for (var i = 0; i < n; i++)
    {
        var s = rng.NextInt64(1, size + 1);
        tree.ConsistencyProof(rng.NextInt64(1, s + 1), s);
    }
    Console.WriteLine($"consistency proof at {size:N0}: {sw.Elapsed.TotalMicroseconds / n:F1} µs each (random sizes)");
}
