using System.Text.Json.Nodes;
using Attest.Audit.Checkpoints;
using Attest.Audit.Crypto;
using Attest.Audit.Log;
using Attest.Audit.Verification;
using Attest.Core.Audit;
using Attest.Storage.Audit;
using Dapper;

namespace Attest.Storage.Tests.Audit;

public class SqlAuditStoreTests
{
    private static readonly CheckpointKey Key = CheckpointKey.Generate("attest");
    private static readonly byte[] Master = PayloadCrypto.NewKey();

    private static AuditLog Log(AttestDatabase db, int every = 25) =>
        new(new SqlAuditStore(db), new AuditLogOptions { SigningKey = Key, MasterKey = Master, CheckpointEvery = every });

    private static AuditRecord Record(int i) => new()
    {
        Type = i % 2 == 0 ? AuditEventTypes.ChatRequest : AuditEventTypes.ApprovalGranted, Tenant = $"t{i % 3}", Subject = $"t{i % 3}/user/u{i % 5}",
        DataClass = i % 2 == 0 ? "prompts" : "approvals", Actor = new AuditActor { KeyId = $"k{i % 4}", EndUser = $"u{i % 5}" },
        Payload = new JsonObject { ["i"] = i },
    };

    [Theory]
    [MemberData(nameof(TestDatabases.Backends), MemberType = typeof(TestDatabases))]
    public async Task Concurrent_appends_commit_in_order_and_the_log_verifies(string backend)
    {
        await using var db = await TestDatabases.CreateAsync(backend);
        await using (var log = Log(db))
        {
            await Task.WhenAll(Enumerable.Range(0, 300).Select(i => log.AppendAsync(Record(i)).AsTask()));
            await log.CheckpointAsync();
        }
        var store = new SqlAuditStore(db);
        var tail = await store.ReadTailAsync();
        Assert.Equal(300, tail.Size);
        Assert.Equal(300, tail.LastCheckpointSize);
        var seqs = new List<long>();
        await foreach (var r in store.ReadRowsAsync(0, long.MaxValue)) seqs.Add(r.Sequence);
        Assert.Equal(Enumerable.Range(0, 300).Select(i => (long)i), seqs);
        var report = await AuditOperations.VerifyAsync(store, [Key]);
        Assert.True(report.Ok, report.Message);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Backends), MemberType = typeof(TestDatabases))]
    public async Task Two_writers_on_one_database_share_one_ordered_log(string backend)
    {
        await using var db = await TestDatabases.CreateAsync(backend);
        await using (var a = Log(db))
        await using (var b = Log(db))
        {
            await Task.WhenAll(Enumerable.Range(0, 100).Select(i => (i % 2 == 0 ? a : b).AppendAsync(Record(i)).AsTask()));
            await a.CheckpointAsync();
        }
        var report = await AuditOperations.VerifyAsync(new SqlAuditStore(db), [Key]);
        Assert.True(report.Ok, report.Message);
        Assert.Equal(100, report.Entries);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Backends), MemberType = typeof(TestDatabases))]
    public async Task Query_filters_by_tenant_type_actor_and_time(string backend)
    {
        await using var db = await TestDatabases.CreateAsync(backend);
        await using (var log = Log(db)) for (var i = 0; i < 30; i++) await log.AppendAsync(Record(i));
        var reader = new StoreAuditReader(new SqlAuditStore(db));
        async Task<List<AuditEventView>> Q(AuditQuery q)
        {
            var l = new List<AuditEventView>();
            await foreach (var v in reader.QueryAsync(q)) l.Add(v);
            return l;
        }
        Assert.Equal(10, (await Q(new AuditQuery { Tenant = "t1" })).Count);
        Assert.Equal(15, (await Q(new AuditQuery { Type = "approval." })).Count);
        Assert.Equal(15, (await Q(new AuditQuery { Type = AuditEventTypes.ChatRequest })).Count);
        Assert.All(await Q(new AuditQuery { Actor = "u2" }), v => Assert.Equal("u2", v.Actor.EndUser));
        Assert.Equal(6, (await Q(new AuditQuery { Actor = "u2" })).Count);
        Assert.Equal(5, (await Q(new AuditQuery { AfterSequence = 24 })).Count);
        Assert.Equal(3, (await Q(new AuditQuery { Limit = 3 })).Count);
        Assert.Empty(await Q(new AuditQuery { From = DateTimeOffset.UtcNow.AddDays(1) }));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Backends), MemberType = typeof(TestDatabases))]
    public async Task Forget_and_purge_keep_verification_green_and_payloads_unreadable(string backend)
    {
        await using var db = await TestDatabases.CreateAsync(backend);
        var store = new SqlAuditStore(db);
        await using var log = Log(db, every: 7);
        for (var i = 0; i < 20; i++) await log.AppendAsync(Record(i));
        var rows = new List<AuditRow>();
        await foreach (var r in store.ReadRowsAsync(0, long.MaxValue)) rows.Add(r);
        var victim = rows.First(r => r.Subject == "t0/user/u0");
        Assert.NotNull(await AuditOperations.ReadPayloadAsync(log.Keyring, victim));
        Assert.Equal(1, await AuditOperations.ForgetSubjectAsync(log, "t0/user/u0", "t0", new AuditActor { Admin = "ops" }, TimeProvider.System));
        await Assert.ThrowsAsync<PayloadUnavailableException>(() => AuditOperations.ReadPayloadAsync(log.Keyring, victim));
        var purged = await AuditOperations.PurgeAsync(log, [new Core.Config.RetentionConfig { DataClass = "prompts", Keep = "0s" }], "*", new AuditActor { Admin = "ops" }, TimeProvider.System);
        Assert.Equal(10, purged["prompts"]);
        await log.CheckpointAsync();
        var report = await AuditOperations.VerifyAsync(store, [Key]);
        Assert.True(report.Ok, report.Message);
        await using var c = await db.OpenAsync();
        Assert.Equal(10, await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM audit_entries WHERE data_class = 'prompts' AND payload IS NULL"));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Backends), MemberType = typeof(TestDatabases))]
    public async Task Edits_and_deletions_in_the_database_are_located(string backend)
    {
        await using var db = await TestDatabases.CreateAsync(backend);
        var store = new SqlAuditStore(db);
        await using (var log = Log(db, every: 10))
        {
            for (var i = 0; i < 40; i++) await log.AppendAsync(Record(i));
            await log.CheckpointAsync();
        }
        await using var c = await db.OpenAsync();
        var canonical = await c.ExecuteScalarAsync<byte[]>("SELECT canonical FROM audit_entries WHERE seq = 17");
        var edited = System.Text.Encoding.UTF8.GetBytes(System.Text.Encoding.UTF8.GetString(canonical!).Replace("\"tenant\":\"t2\"", "\"tenant\":\"t9\"", StringComparison.Ordinal));
        await c.ExecuteAsync("UPDATE audit_entries SET canonical = @edited WHERE seq = 17", new { edited });
        var r1 = await AuditOperations.VerifyAsync(store, [Key]);
        Assert.Equal((TamperKind.Edited, 17L), (r1.Kind, r1.FirstBadIndex));
        await c.ExecuteAsync("UPDATE audit_entries SET canonical = @canonical WHERE seq = 17", new { canonical });
        await c.ExecuteAsync("DELETE FROM audit_entries WHERE seq = 5");
        var r2 = await AuditOperations.VerifyAsync(store, [Key]);
        Assert.Equal((TamperKind.Deleted, 5L), (r2.Kind, r2.FirstBadIndex));
    }
}
