using System.Text;
using System.Text.Json.Nodes;
using Attest.Audit.Checkpoints;
using Attest.Audit.Crypto;
using Attest.Audit.Log;
using Attest.Audit.Merkle;
using Attest.Core.Audit;
using Attest.Storage.Audit;
using Npgsql;

namespace Attest.Storage.Tests.Audit;

/// <summary>
/// The PostgreSQL one-round-trip append (on the tail the store remembers) stores exactly what the
/// classic path (lock + tail read, insert, COMMIT) stores, notices every change another process
/// made in between, and leaves nothing behind when it fails. Batches are built by a deterministic
/// function of the tail, so two databases fed the same batches must hold the same bytes.
/// </summary>
public class AuditAppendPathTests
{
    // Rows of one batch: sequence numbers, chain, frontier and checkpoint follow from the tail only.
    internal static Func<AuditTail, AuditBatch> Builder(string tag, int rows, bool checkpoint) => tail =>
    {
        var frontier = CompactRange.FromBytes(tail.Size, tail.Frontier);
        var chain = tail.ChainHash;
        var list = new List<AuditRow>();
        for (var i = 0; i < rows; i++)
        {
            var seq = frontier.Size;
            var canonical = Encoding.UTF8.GetBytes($"{{\"seq\":{seq},\"tag\":\"{tag}-{i}\"}}");
            var leaf = MerkleHash.Leaf(canonical);
            chain = MerkleHash.Chain(chain, leaf);
            frontier.Append(leaf);
            list.Add(new AuditRow(seq, $"{tag}-{i}", DateTimeOffset.FromUnixTimeMilliseconds(1_760_000_000_000 + seq), i % 2 == 0 ? "chat.request" : "tool.call",
                $"t{seq % 3}", new AuditActor { KeyId = $"k{i}", EndUser = i % 3 == 0 ? null : $"u{i}" }, i % 4 == 0 ? null : $"t/user/{i}", "prompts",
                canonical, leaf, chain, i % 5 == 0 ? null : [(byte)i, 0, 255]));
        }
        StoredCheckpoint? cp = null;
        var last = tail.LastCheckpointSize;
        if (checkpoint && frontier.Size > last)
        {
            cp = new StoredCheckpoint(frontier.Size, frontier.Root(), DateTimeOffset.FromUnixTimeMilliseconds(1_760_000_000_000), "attest+00", $"note {frontier.Size}");
            last = frontier.Size;
        }
        return new AuditBatch(list, new AuditTail(frontier.Size, chain, frontier.ToBytes(), last), cp);
    };

    internal static async Task<string> DumpAsync(SqlAuditStore store)
    {
        var sb = new StringBuilder();
        var tail = await store.ReadTailAsync();
        sb.AppendLine($"tail {tail.Size} {Convert.ToHexString(tail.ChainHash)} {Convert.ToHexString(tail.Frontier)} {tail.LastCheckpointSize}");
        await foreach (var r in store.ReadRowsAsync(0, long.MaxValue))
            sb.AppendLine($"{r.Sequence} {r.Id} {r.Time.ToUnixTimeMilliseconds()} {r.Type} {r.Tenant} {r.Actor} {r.Subject} {r.DataClass} " +
                $"{Convert.ToHexString(r.Canonical)} {Convert.ToHexString(r.LeafHash)} {Convert.ToHexString(r.ChainHash)} {(r.Payload is null ? "null" : Convert.ToHexString(r.Payload))}");
        foreach (var c in await store.ReadCheckpointsAsync())
            sb.AppendLine($"cp {c.Size} {Convert.ToHexString(c.Root)} {c.Time.ToUnixTimeMilliseconds()} {c.KeyId} {c.Note}");
        return sb.ToString();
    }

    private static IEnumerable<Func<AuditTail, AuditBatch>> Script(int count) =>
        Enumerable.Range(0, count).Select(b => Builder($"b{b}", b % 6 == 5 ? 0 : (b * 7) % 9 + 1, checkpoint: b % 4 == 3 || b % 6 == 5));

    [Theory]
    [MemberData(nameof(TestDatabases.Backends), MemberType = typeof(TestDatabases))]
    public async Task One_round_trip_appends_store_exactly_what_the_classic_path_stores(string backend)
    {
        await using var fastDb = await TestDatabases.CreateAsync(backend);
        await using var classicDb = await TestDatabases.CreateAsync(backend);
        var fast = new SqlAuditStore(fastDb);
        foreach (var build in Script(30))
        {
            await fast.AppendAsync(build);
            await new SqlAuditStore(classicDb).AppendAsync(build); // a fresh store knows no tail: classic path every time
        }
        var expected = await DumpAsync(new SqlAuditStore(classicDb));
        Assert.Equal(expected, await DumpAsync(fast));
        Assert.Contains("cp ", expected, StringComparison.Ordinal);
        if (backend == "postgres") Assert.Equal((29L, 1L, 0L), (fast.FastAppends, fast.ClassicAppends, fast.StaleTails));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Backends), MemberType = typeof(TestDatabases))]
    public async Task A_tail_changed_by_another_process_is_noticed_and_the_batch_rebuilt_on_it(string backend)
    {
        await using var db = await TestDatabases.CreateAsync(backend);
        await using var serialDb = await TestDatabases.CreateAsync(backend);
        var (a, b, serial) = (new SqlAuditStore(db), new SqlAuditStore(db), new SqlAuditStore(serialDb));
        // a and b interleave: b's rows, then b's checkpoint-only batch (same size, new last checkpoint), make a's tail stale.
        (SqlAuditStore Store, Func<AuditTail, AuditBatch> Build)[] steps =
        [
            (a, Builder("a0", 3, false)), (a, Builder("a1", 2, false)), (b, Builder("b0", 2, false)), (a, Builder("a2", 4, false)),
            (b, Builder("b1", 0, true)), (a, Builder("a3", 1, false)), (b, Builder("b2", 5, true)), (b, Builder("b3", 1, false)), (a, Builder("a4", 2, true)),
        ];
        foreach (var (store, build) in steps)
        {
            await store.AppendAsync(build);
            await serial.AppendAsync(build);
        }
        Assert.Equal(await DumpAsync(serial), await DumpAsync(a));
        Assert.Equal(20, (await a.ReadTailAsync()).Size);
        if (backend == "postgres")
        {
            Assert.Equal(3, a.StaleTails); // a2 (rows), a3 (checkpoint only), a4 (rows)
            Assert.Equal(2, b.StaleTails); // b1 after a2, b2 after a3; b3 continues b's own tail
            Assert.Equal(1, a.ClassicAppends);
        }
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Backends), MemberType = typeof(TestDatabases))]
    public async Task When_another_process_keeps_appending_the_classic_path_appends_under_the_lock(string backend)
    {
        await using var db = await TestDatabases.CreateAsync(backend);
        var (a, b) = (new SqlAuditStore(db), new SqlAuditStore(db));
        await a.AppendAsync(Builder("a0", 2, false));
        var calls = 0;
        var inner = Builder("a1", 3, true);
        // The first two builds (the one-round-trip attempts, outside any transaction) let b append first.
        await a.AppendAsync(tail =>
        {
            if (++calls <= 2 && backend == "postgres") b.AppendAsync(Builder($"b{calls}", 1, false)).GetAwaiter().GetResult();
            return inner(tail);
        });
        var rows = new List<AuditRow>();
        await foreach (var r in a.ReadRowsAsync(0, long.MaxValue)) rows.Add(r);
        Assert.Equal(Enumerable.Range(0, rows.Count).Select(i => (long)i), rows.Select(r => r.Sequence));
        if (backend != "postgres") return;
        Assert.Equal(["a0-0", "a0-1", "b1-0", "b2-0", "a1-0", "a1-1", "a1-2"], rows.Select(r => r.Id));
        Assert.Equal((0L, 2L, 2L), (a.FastAppends, a.ClassicAppends, a.StaleTails));
        var tail = await a.ReadTailAsync();
        Assert.Equal((7L, 7L), (tail.Size, tail.LastCheckpointSize));
        Assert.Equal(rows[^1].ChainHash, tail.ChainHash);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Backends), MemberType = typeof(TestDatabases))]
    public async Task A_failed_append_stores_nothing_and_the_next_one_continues_the_log(string backend)
    {
        await using var db = await TestDatabases.CreateAsync(backend);
        await using var serialDb = await TestDatabases.CreateAsync(backend);
        var (store, serial) = (new SqlAuditStore(db), new SqlAuditStore(serialDb));
        foreach (var build in new[] { Builder("x", 3, false), Builder("y", 2, false) })
        {
            await store.AppendAsync(build);
            await serial.AppendAsync(build);
        }
        var before = await DumpAsync(store);
        // Same ids as batch "x": the unique index rejects the rows after the tail was replaced in the same statement.
        var duplicate = Builder("x", 2, true);
        var error = await Assert.ThrowsAnyAsync<Exception>(() => store.AppendAsync(duplicate));
        if (backend == "postgres") Assert.Equal(PostgresErrorCodes.UniqueViolation, Assert.IsType<PostgresException>(error).SqlState);
        Assert.Equal(before, await DumpAsync(store));
        await Assert.ThrowsAsync<InvalidOperationException>(() => store.AppendAsync(_ => throw new InvalidOperationException("build failed")));
        Assert.Equal(before, await DumpAsync(store));
        await store.AppendAsync(Builder("z", 4, true));
        await serial.AppendAsync(Builder("z", 4, true));
        Assert.Equal(await DumpAsync(serial), await DumpAsync(store));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Backends), MemberType = typeof(TestDatabases))]
    public async Task Four_replicas_appending_at_once_produce_one_contiguous_verifying_log(string backend)
    {
        await using var db = await TestDatabases.CreateAsync(backend);
        var key = CheckpointKey.Generate("attest");
        var master = PayloadCrypto.NewKey();
        var stores = Enumerable.Range(0, 4).Select(_ => new SqlAuditStore(db)).ToArray();
        var logs = stores.Select(s => new AuditLog(s, new AuditLogOptions { SigningKey = key, MasterKey = master, CheckpointEvery = 50 })).ToArray();
        try
        {
            await Task.WhenAll(Enumerable.Range(0, 400).Select(i => logs[i % 4].AppendAsync(new AuditRecord
            {
                Type = AuditEventTypes.ChatRequest, Tenant = "acme", Subject = $"acme/user/u{i % 7}", DataClass = "prompts",
                Actor = new AuditActor { KeyId = $"k{i % 4}" }, Payload = new JsonObject { ["i"] = i },
            }).AsTask()));
            await logs[0].CheckpointAsync();
        }
        finally
        {
            foreach (var l in logs) await l.DisposeAsync();
        }
        var seqs = new List<long>();
        await foreach (var r in stores[0].ReadRowsAsync(0, long.MaxValue)) seqs.Add(r.Sequence);
        Assert.Equal(Enumerable.Range(0, 400).Select(i => (long)i), seqs);
        var report = await AuditOperations.VerifyAsync(stores[0], [key]);
        Assert.True(report.Ok, report.Message);
        Assert.Equal(400, report.Entries);
        if (backend == "postgres") Assert.All(stores, s => Assert.True(s.FastAppends + s.ClassicAppends > 0));
    }
}
