using System.Diagnostics;
using System.Text;
using Attest.Audit.Log;
using Attest.Audit.Merkle;
using Attest.Core.Audit;
using Attest.Storage;
using Attest.Storage.Audit;
using Npgsql;

/// <summary>
/// `--only pgstore`: the PostgreSQL store alone, one commit of 64 prebuilt-shape rows at a time, in
/// interleaved blocks of four configurations — classic path (a fresh store per append: lock + tail,
/// insert, COMMIT) or one round trip (one store that remembers its tail), each with the migration-1
/// index set (B-tree on data_class, time_ms) or the migration-2 one (BRIN on time_ms). Interleaving
/// puts the four under the same machine load; medians of the time inside AppendAsync are printed.
/// </summary>
internal static class PostgresStoreBench
{
    private const int Rows = 64, BlockSize = 40, Cycles = 9;

    public static async Task RunAsync(string connectionString)
    {
        var name = "attest_bench_" + Guid.NewGuid().ToString("n");
        await Admin(connectionString, $"CREATE DATABASE {name}");
        try
        {
            await using var db = new PostgresDatabase(new NpgsqlConnectionStringBuilder(connectionString) { Database = name }.ToString());
            await MigrationRunner.ApplyAsync(db);
            var oneTrip = new SqlAuditStore(db);
            var times = new Dictionary<string, List<double>>();
            var cpu = new Dictionary<string, TimeSpan>();
            var sequence = 0;
            for (var cycle = 0; cycle < Cycles; cycle++)
                foreach (var btree in new[] { true, false })
                {
                    await using (var c = await db.OpenAsync())
                    await using (var cmd = c.CreateCommand())
                    {
                        cmd.CommandText = btree
                            ? "DROP INDEX IF EXISTS ix_audit_entries_time_brin; CREATE INDEX IF NOT EXISTS ix_audit_entries_class_time ON audit_entries (data_class, time_ms)"
                            : "DROP INDEX IF EXISTS ix_audit_entries_class_time; CREATE INDEX IF NOT EXISTS ix_audit_entries_time_brin ON audit_entries USING brin (time_ms) WITH (autosummarize = on)";
                        await cmd.ExecuteNonQueryAsync();
                    }
                    foreach (var fast in new[] { false, true })
                    {
                        var label = $"{(fast ? "one round trip" : "classic (3 round trips)")}, {(btree ? "migration-1 indexes (5 B-trees)" : "migration-2 indexes (4 B-trees + BRIN)")}";
                        var list = times.TryGetValue(label, out var l) ? l : times[label] = [];
                        // The first append of a block re-learns the tail; the first cycle warms up (JIT, prepared statements).
                        await (fast ? oneTrip : new SqlAuditStore(db)).AppendAsync(Builder(sequence++));
                        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
                        for (var i = 1; i < BlockSize; i++)
                        {
                            var store = fast ? oneTrip : new SqlAuditStore(db);
                            var build = Builder(sequence++);
                            var start = Stopwatch.GetTimestamp();
                            await store.AppendAsync(build);
                            if (cycle > 0) list.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                        }
                        if (cycle > 0) cpu[label] = cpu.GetValueOrDefault(label) + (Process.GetCurrentProcess().TotalProcessorTime - cpu0);
                    }
                }
            foreach (var (label, list) in times)
            {
                list.Sort();
                Console.WriteLine($"PostgreSQL store, {Rows}-row commits, {label}: median {list[list.Count / 2]:F2} ms, p90 {list[list.Count * 9 / 10]:F2} ms per commit " +
                    $"({list.Count} commits; {cpu[label].TotalMicroseconds / list.Count:F0} µs of process CPU per commit; load average {File.ReadAllText("/proc/loadavg")[..14]})");
            }
            NpgsqlConnection.ClearAllPools();
        }
        finally { await Admin(connectionString, $"DROP DATABASE IF EXISTS {name} WITH (FORCE)"); }
    }

    private static async Task Admin(string cs, string sql)
    {
        await using var admin = new NpgsqlConnection(cs);
        await admin.OpenAsync();
        await using var cmd = admin.CreateCommand();
        cmd.CommandText = sql;
        await cmd.ExecuteNonQueryAsync();
    }

    // Rows shaped like the append bench's events: ~700-byte canonical entry, ~250-byte sealed payload.
    private static Func<AuditTail, AuditBatch> Builder(int batch) => tail =>
    {
        var frontier = CompactRange.FromBytes(tail.Size, tail.Frontier);
        var chain = tail.ChainHash;
        var rows = new List<AuditRow>(Rows);
        for (var i = 0; i < Rows; i++)
        {
            var seq = frontier.Size;
            var canonical = Encoding.UTF8.GetBytes($"{{\"seq\":{seq},\"id\":\"b{batch}-{i}\",\"pad\":\"{new string('x', 660)}\"}}");
            var leaf = MerkleHash.Leaf(canonical);
            chain = MerkleHash.Chain(chain, leaf);
            frontier.Append(leaf);
            rows.Add(new AuditRow(seq, $"b{batch}-{i}", DateTimeOffset.FromUnixTimeMilliseconds(1_760_000_000_000 + seq), AuditEventTypes.ChatRequest, "acme",
                new AuditActor { KeyId = $"k{i}" }, $"acme/user/u{i % 50}", "prompts", canonical, leaf, chain, new byte[250]));
        }
        return new AuditBatch(rows, new AuditTail(frontier.Size, chain, frontier.ToBytes(), tail.LastCheckpointSize), null);
    };
}
