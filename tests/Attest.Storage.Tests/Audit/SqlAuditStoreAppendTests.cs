using System.Text.Json.Nodes;
using Attest.Audit.Checkpoints;
using Attest.Audit.Crypto;
using Attest.Audit.Log;
using Attest.Core.Audit;
using Attest.Storage.Audit;

namespace Attest.Storage.Tests.Audit;

/// <summary>The append path (SQLite: its own connection with prepared statements) rolls back failures completely and recovers.</summary>
public sealed class SqlAuditStoreAppendTests
{
    private static readonly CheckpointKey Key = CheckpointKey.Generate("attest");
    private static readonly byte[] Master = PayloadCrypto.NewKey();

    private static AuditRecord Record(int i) => new()
    {
        Type = AuditEventTypes.ChatRequest, Tenant = "t", Subject = $"t/user/u{i % 3}", DataClass = "prompts",
        Actor = new AuditActor { KeyId = "k1" }, Payload = new JsonObject { ["i"] = i },
    };

    [Theory]
    [MemberData(nameof(TestDatabases.Backends), MemberType = typeof(TestDatabases))]
    public async Task AppendMany_stores_each_group_consecutively_in_order_among_concurrent_appends(string backend)
    {
        await using var db = await TestDatabases.CreateAsync(backend);
        var store = new SqlAuditStore(db);
        await using (var log = new AuditLog(store, new AuditLogOptions { SigningKey = Key, MasterKey = Master, CheckpointEvery = 25 }))
        {
            var groups = await Task.WhenAll(Enumerable.Range(0, 40).Select(async g =>
            {
                if (g % 2 == 0) return (IReadOnlyList<string>)[await log.AppendAsync(Record(g * 10))];
                return await log.AppendManyAsync([Record(g * 10), Record(g * 10 + 1), Record(g * 10 + 2)]);
            }));
            await log.CheckpointAsync();
            var seq = new Dictionary<string, long>();
            await foreach (var r in store.ReadRowsAsync(0, long.MaxValue)) seq[r.Id] = r.Sequence;
            Assert.Equal(20 + 20 * 3, seq.Count);
            foreach (var ids in groups.Where(g => g.Count == 3))
                Assert.Equal([seq[ids[0]], seq[ids[0]] + 1, seq[ids[0]] + 2], ids.Select(id => seq[id]).ToArray());
        }
        var report = await AuditOperations.VerifyAsync(store, [Key]);
        Assert.True(report.Ok, report.Message);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Backends), MemberType = typeof(TestDatabases))]
    public async Task A_failed_append_leaves_nothing_and_the_next_append_and_a_reopened_store_continue_the_log(string backend)
    {
        await using var db = await TestDatabases.CreateAsync(backend);
        var store = new SqlAuditStore(db);
        await using (var log = new AuditLog(store, new AuditLogOptions { SigningKey = Key, MasterKey = Master }))
            await log.AppendAsync(Record(0));
        var tail = await store.ReadTailAsync();
        // The build callback throws inside the transaction; then a batch that does not continue the tail.
        await Assert.ThrowsAsync<InvalidOperationException>(() => store.AppendAsync(t => throw new InvalidOperationException("boom")));
        var row = new AuditRow(tail.Size + 5, "bad", DateTimeOffset.UnixEpoch, "x", "t", new AuditActor(), null, "events", [1], new byte[32], new byte[32], null);
        await Assert.ThrowsAsync<InvalidOperationException>(() => store.AppendAsync(t => new AuditBatch([row], t, null)));
        var after = await store.ReadTailAsync();
        Assert.Equal((tail.Size, tail.LastCheckpointSize), (after.Size, after.LastCheckpointSize));
        Assert.Equal(tail.ChainHash, after.ChainHash);
        Assert.Equal(tail.Frontier, after.Frontier);
        // The log was disposed (its store's append connection closed); a new log on the same store reopens it.
        await using (var log = new AuditLog(store, new AuditLogOptions { SigningKey = Key, MasterKey = Master }))
        {
            for (var i = 1; i <= 20; i++) await log.AppendAsync(Record(i));
            await log.CheckpointAsync();
        }
        Assert.Equal(21, (await store.ReadTailAsync()).Size);
        var ids = new List<string>();
        await foreach (var r in store.ReadRowsAsync(0, long.MaxValue)) ids.Add(r.Id);
        Assert.DoesNotContain("bad", ids);
        var report = await AuditOperations.VerifyAsync(store, [Key]);
        Assert.True(report.Ok, report.Message);
    }
}
