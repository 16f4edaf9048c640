using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Attest.Audit.Crypto;
using Attest.Audit.Log;
using Attest.Audit.Merkle;
using Attest.Core.Audit;
using Attest.Storage;
using Attest.Storage.Audit;

/// <summary>Bench profiling (--profile): CPU per event of each stage of the append path, measured in isolation.</summary>
internal static class Profile
{
    public static async Task RunAsync()
    {
        const int n = 20_000;
        var key = PayloadCrypto.NewKey();
        var ids = new EventIdGenerator(TimeProvider.System);
        var payloads = new JsonObject[n];
        for (var i = 0; i < n; i++) payloads[i] = new JsonObject { ["prompt"] = "redacted prompt text of moderate length for the benchmark", ["i"] = i };
        var idList = new string[n];
        Time("event id", n, i => idList[i] = ids.Next());
        var plain = new byte[n][];
        Time("payload JSON serialise", n, i => plain[i] = JsonSerializer.SerializeToUtf8Bytes(payloads[i]));
        var sealedBytes = new byte[n][];
        Time("AES-GCM seal", n, i => sealedBytes[i] = PayloadCrypto.SealPayload(key, idList[i], plain[i]));
        var refs = new PayloadReference[n];
        Time("payload SHA-256 + hex", n, i => refs[i] = new PayloadReference(PayloadCrypto.Algorithm, "sk_0123456789abcdef01234567", Convert.ToHexStringLower(SHA256.HashData(sealedBytes[i])), sealedBytes[i].Length));
        var entries = new AuditEntry[n];
        var now = DateTimeOffset.UtcNow;
        Time("entry record", n, i => entries[i] = new AuditEntry
        {
            Id = idList[i], Sequence = i, Time = now, Type = AuditEventTypes.ChatRequest, Tenant = "acme", Subject = $"acme/user/u{i % 50}", DataClass = "prompts",
            Actor = new AuditActor { KeyId = "k1" }, Model = new AuditModel("gpt", "gpt-4o-2024-08-06", "openai"), Decision = "allow",
            InputTokens = 120, OutputTokens = 300, LatencyMicros = 812_500, Digests = new Dictionary<string, string> { ["prompt"] = new string('a', 64) }, Payload = refs[i],
        });
        var canonical = new byte[n][];
        Time("canonical encode", n, i => canonical[i] = entries[i].Encode());
        Console.WriteLine($"  (canonical entry is {canonical[0].Length} bytes)");
        var leaves = new byte[n][];
        Time("leaf hash", n, i => leaves[i] = MerkleHash.Leaf(canonical[i]));
        var chain = new byte[32];
        var chains = new byte[n][];
        Time("chain hash", n, i => chains[i] = chain = MerkleHash.Chain(chain, leaves[i]));
        var frontier = new CompactRange();
        Time("frontier append", n, i => frontier.Append(leaves[i]));

        var rows = new AuditRow[n];
        for (var i = 0; i < n; i++)
        {
            var e = entries[i];
            rows[i] = new AuditRow(i, e.Id, e.Time, e.Type, e.Tenant, e.Actor, e.Subject, e.DataClass, canonical[i], leaves[i], chains[i], sealedBytes[i]);
        }
        var dir = Path.Combine(Path.GetTempPath(), "attest-bench-profile-" + Guid.NewGuid().ToString("n"));
        await using (var db = new SqliteDatabase(Path.Combine(dir, "attest.db")))
        {
            await MigrationRunner.ApplyAsync(db);
            var store = new SqlAuditStore(db);
            foreach (var batch in new[] { 64, 256, 1 })
            {
                var start = (int)(await store.ReadTailAsync()).Size;
                var count = Math.Min(n - start, batch == 1 ? 500 : 40 * batch);
                var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
                var sw = Stopwatch.StartNew();
                for (var off = start; off < start + count; off += batch)
                {
                    var slice = rows.AsSpan(off, Math.Min(batch, start + count - off)).ToArray();
                    var tail = new AuditTail(off + slice.Length, chains[off + slice.Length - 1], [], 0);
                    await store.AppendAsync(t => new AuditBatch(slice, tail, null));
                }
                var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu0;
                Console.WriteLine($"  SQLite store append, {batch} rows per commit: {count / sw.Elapsed.TotalSeconds:N0} rows/s wall, {sw.Elapsed.TotalMilliseconds / (count / batch):F2} ms per commit, {cpu.TotalMicroseconds / count:F1} µs CPU per row");
            }
            await CommitPhasesAsync(db);
        }
        Directory.Delete(dir, true);
    }

    // The fixed cost of one commit, phase by phase (200 empty-ish transactions).
    private static async Task CommitPhasesAsync(SqliteDatabase db)
    {
        const int n = 200;
        var t = new long[6];
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        for (var i = 0; i < n; i++)
        {
            var s = Stopwatch.GetTimestamp();
            await using var c = await db.OpenAsync();
            t[0] += Stopwatch.GetTimestamp() - s; s = Stopwatch.GetTimestamp();
            await using var tx = await c.BeginTransactionAsync();
            t[1] += Stopwatch.GetTimestamp() - s; s = Stopwatch.GetTimestamp();
            var tail = await Dapper.SqlMapper.QuerySingleAsync<(long, byte[], byte[], long)>(c, "SELECT size, chain, frontier, last_checkpoint FROM audit_state WHERE id = 1", transaction: tx);
            t[2] += Stopwatch.GetTimestamp() - s; s = Stopwatch.GetTimestamp();
            await Dapper.SqlMapper.ExecuteAsync(c, "UPDATE audit_state SET last_checkpoint = @x WHERE id = 1", new { x = tail.Item4 }, tx);
            t[3] += Stopwatch.GetTimestamp() - s; s = Stopwatch.GetTimestamp();
            await tx.CommitAsync();
            t[4] += Stopwatch.GetTimestamp() - s; s = Stopwatch.GetTimestamp();
        }
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu0;
        foreach (var sync in new[] { "FULL", "OFF", "FULL" })
        {
            var u0 = Process.GetCurrentProcess().TotalProcessorTime;
            var w0 = Stopwatch.GetTimestamp();
            await using var c = await db.OpenAsync();
            await using (var p = c.CreateCommand()) { p.CommandText = $"PRAGMA synchronous={sync}"; await p.ExecuteNonQueryAsync(); }
            for (var i = 0; i < n; i++)
            {
                await using var tx = await c.BeginTransactionAsync();
                await using var ins = c.CreateCommand();
                ins.Transaction = (Microsoft.Data.Sqlite.SqliteTransaction)tx;
                ins.CommandText = "INSERT INTO audit_checkpoints (size, root, time_ms, key_id, note) VALUES ($s, x'00', 0, 'k', 'n')";
                ins.Parameters.Add(new Microsoft.Data.Sqlite.SqliteParameter("$s", 1_000_000L + i + (sync == "OFF" ? 10_000 : sync == "FULL" && u0 > TimeSpan.Zero ? 20_000 : 0) + Random.Shared.NextInt64(1L << 40)));
                await ins.ExecuteNonQueryAsync();
                await tx.CommitAsync();
            }
            Console.WriteLine($"  1-row transaction, synchronous={sync}: {Stopwatch.GetElapsedTime(w0).TotalMicroseconds / n:F0} µs wall, {(Process.GetCurrentProcess().TotalProcessorTime - u0).TotalMicroseconds / n:F0} µs CPU per commit");
        }
        string[] names = ["open+pragmas", "begin immediate", "tail read (Dapper)", "update (Dapper)", "commit (fsync)"];
        for (var i = 0; i < names.Length; i++) Console.WriteLine($"  commit phase {names[i]}: {Stopwatch.GetElapsedTime(0, t[i]).TotalMicroseconds / n:F1} µs wall");
        Console.WriteLine($"  commit phases total: {cpu.TotalMicroseconds / n:F1} µs CPU per commit");
    }

    private static void Time(string name, int n, Action<int> body)
    {
        for (var i = 0; i < Math.Min(n, 2000); i++) body(i); // warm-up
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < n; i++) body(i);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu0;
        Console.WriteLine($"  {name}: {sw.Elapsed.TotalMicroseconds / n:F2} µs wall, {cpu.TotalMicroseconds / n:F2} µs CPU per event");
    }
}
