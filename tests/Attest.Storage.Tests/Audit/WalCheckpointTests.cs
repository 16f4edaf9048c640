using System.Text.Json.Nodes;
using Attest.Audit.Checkpoints;
using Attest.Audit.Crypto;
using Attest.Audit.Log;
using Attest.Core.Audit;
using Attest.Storage.Audit;

namespace Attest.Storage.Tests.Audit;

/// <summary>The SQLite append connection checkpoints the WAL off the commit path, and the WAL stays bounded when that falls behind.</summary>
public sealed class WalCheckpointTests
{
    private static readonly CheckpointKey Key = CheckpointKey.Generate("attest");
    private static readonly byte[] Master = PayloadCrypto.NewKey();
    private const int FrameBytes = 4096 + 24;

    private static AuditRecord Record(int i) => new()
    {
        // One subject: its key is the only write of another connection (those frames are not the appender's to count).
        Type = AuditEventTypes.ChatRequest, Tenant = "t", Subject = "t/user/u", DataClass = "prompts",
        Actor = new AuditActor { KeyId = "k1" }, Payload = new JsonObject { ["i"] = i, ["text"] = new string('x', 600) },
    };

    private static async Task<(SqliteDatabase Db, string Dir)> NewDatabaseAsync()
    {
        var dir = Path.Combine(Path.GetTempPath(), "attest-tests", Guid.NewGuid().ToString("n"));
        var db = new SqliteDatabase(Path.Combine(dir, "attest.db"));
        await MigrationRunner.ApplyAsync(db);
        return (db, dir);
    }

    [Fact]
    public async Task Without_the_background_checkpointer_the_commit_path_keeps_the_wal_under_its_bound()
    {
        var (db, _) = await NewDatabaseAsync();
        await using var _db = db;
        var wal = new WalCheckpointer(db.Path, thresholdPages: 20, boundPages: 120) { BackgroundEnabled = false };
        var store = new SqlAuditStore(db) { WalOverride = wal };
        long largest = 0;
        await using (var log = new AuditLog(store, new AuditLogOptions { SigningKey = Key, MasterKey = Master, CheckpointEvery = 1_000_000 }))
            for (var i = 0; i < 400; i++)
            {
                await log.AppendAsync(Record(i));
                largest = Math.Max(largest, new FileInfo(db.Path + "-wal").Length);
            }
        Assert.True(wal.InlineCheckpoints > 0, "the bound was never reached: the test writes too little");
        Assert.Equal(0, wal.BackgroundCheckpoints);
        // At most the bound plus one commit's frames (a few pages per one-event commit) before the checkpoint, plus the header.
        Assert.True(largest <= (wal.BoundPages + 40L) * FrameBytes + 32, $"WAL grew to {largest} bytes");
        Assert.Equal(400, (await store.ReadTailAsync()).Size);
        var report = await AuditOperations.VerifyAsync(store, [Key]);
        Assert.True(report.Ok, report.Message);
    }

    [Fact]
    public async Task The_background_checkpointer_copies_the_wal_into_the_database_while_appends_go_on()
    {
        var (db, _) = await NewDatabaseAsync();
        await using var _db = db;
        var wal = new WalCheckpointer(db.Path, thresholdPages: 20, boundPages: 1_000_000);
        var store = new SqlAuditStore(db) { WalOverride = wal };
        var before = new FileInfo(db.Path).Length;
        await using (var log = new AuditLog(store, new AuditLogOptions { SigningKey = Key, MasterKey = Master, CheckpointEvery = 50 }))
        {
            await Task.WhenAll(Enumerable.Range(0, 300).Select(i => log.AppendAsync(Record(i)).AsTask()));
            for (var i = 0; i < 200 && wal.BackgroundCheckpoints == 0; i++)
            {
                await log.AppendAsync(Record(300 + i));
                await Task.Delay(10);
            }
        }
        Assert.True(wal.BackgroundCheckpoints > 0, "no background checkpoint ran");
        Assert.Equal(0, wal.InlineCheckpoints);
        Assert.True(new FileInfo(db.Path).Length > before, "the checkpoint did not copy pages into the database file");
        var report = await AuditOperations.VerifyAsync(store, [Key]);
        Assert.True(report.Ok, report.Message);
    }

    [Fact]
    public async Task A_failed_append_rolls_back_and_the_next_append_and_a_reopened_store_continue_the_log()
    {
        var (db, _) = await NewDatabaseAsync();
        await using var _db = db;
        var store = new SqlAuditStore(db);
        await using (var log = new AuditLog(store, new AuditLogOptions { SigningKey = Key, MasterKey = Master }))
            await log.AppendAsync(Record(0));
        var tail = await store.ReadTailAsync();
        await Assert.ThrowsAsync<InvalidOperationException>(() => store.AppendAsync(t => throw new InvalidOperationException("boom")));
        var row = new AuditRow(tail.Size + 5, "bad", DateTimeOffset.UnixEpoch, "x", "t", new AuditActor(), null, "events", [1], new byte[32], new byte[32], null);
        await Assert.ThrowsAsync<InvalidOperationException>(() => store.AppendAsync(t => new AuditBatch([row], t, null)));
        Assert.Equal(tail, await store.ReadTailAsync(), AuditTailComparer.Instance);
        await using (var log = new AuditLog(store, new AuditLogOptions { SigningKey = Key, MasterKey = Master }))
        {
            await log.AppendAsync(Record(1));
            await log.CheckpointAsync();
        }
        Assert.Equal(2, (await store.ReadTailAsync()).Size);
        var report = await AuditOperations.VerifyAsync(store, [Key]);
        Assert.True(report.Ok, report.Message);
    }

    private sealed class AuditTailComparer : IEqualityComparer<AuditTail>
    {
        public static readonly AuditTailComparer Instance = new();
        public bool Equals(AuditTail? x, AuditTail? y) => x is not null && y is not null && x.Size == y.Size && x.ChainHash.AsSpan().SequenceEqual(y.ChainHash)
            && x.Frontier.AsSpan().SequenceEqual(y.Frontier) && x.LastCheckpointSize == y.LastCheckpointSize;
        public int GetHashCode(AuditTail obj) => obj.Size.GetHashCode();
    }
}
