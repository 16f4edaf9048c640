using System.Diagnostics;
using Attest.Audit.Log;
using Attest.Core.Audit;
using Attest.Storage;
using Attest.Storage.Audit;

/// <summary>
/// Bench (--only sqlitestore): the SQLite store alone, 64-row durable commits one at a time in steady state
/// (300 warm-up commits, then 5 blocks of 300), ≈ 560-byte canonical entries and 130-byte payloads like the append bench.
/// Prints per block: ms per commit (median) and process CPU per row.
/// </summary>
internal static class SqliteStoreBench
{
    public static async Task RunAsync(string root)
    {
        const int batch = 64, warm = 300, block = 300, blocks = 5;
        var dir = Path.Combine(root, "attest-bench-sqlitestore-" + Guid.NewGuid().ToString("n"));
        var rnd = new Random(42);
        var canonical = new byte[560];
        var payload = new byte[130];
        rnd.NextBytes(canonical);
        rnd.NextBytes(payload);
        await using (var db = new SqliteDatabase(Path.Combine(dir, "attest.db")))
        {
            await MigrationRunner.ApplyAsync(db);
            await using var store = new SqlAuditStore(db);
            long seq = 0;
            var chain = new byte[32];
            async Task Commit()
            {
                var rows = new AuditRow[batch];
                for (var i = 0; i < batch; i++, seq++)
                    rows[i] = new AuditRow(seq, "evt_" + seq.ToString("D20", System.Globalization.CultureInfo.InvariantCulture), DateTimeOffset.FromUnixTimeMilliseconds(1_795_000_000_000 + seq / 10),
                        AuditEventTypes.ChatRequest, "acme", new AuditActor { KeyId = "k" + (seq % 64).ToString(System.Globalization.CultureInfo.InvariantCulture) },
                        "acme/user/u" + (seq % 50).ToString(System.Globalization.CultureInfo.InvariantCulture), "prompts", canonical, chain, chain, payload);
                var tail = new AuditTail(seq, chain, [], 0);
                await store.AppendAsync(_ => new AuditBatch(rows, tail, null));
            }
            for (var i = 0; i < warm; i++) await Commit();
            for (var b = 0; b < blocks; b++)
            {
                var times = new double[block];
                var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
                for (var i = 0; i < block; i++)
                {
                    var t0 = Stopwatch.GetTimestamp();
                    await Commit();
                    times[i] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
                }
                var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu0;
                Array.Sort(times);
                Console.WriteLine($"SQLite store alone, {batch}-row commits, block {b + 1}: median {times[block / 2]:F3} ms per commit, {cpu.TotalMicroseconds / (block * batch):F2} µs of process CPU per row (load average {File.ReadAllText("/proc/loadavg")[..14]})");
            }
        }
        Directory.Delete(dir, true);
    }
}
