using Attest.Audit.Log;
using Attest.Core.Audit;
using Attest.Storage.Audit;

namespace Attest.Storage.Tests.Audit;

/// <summary>
/// Batches of every shape around the SQLite multi-row insert (<see cref="SqliteAppender.RowsPerStatement"/> rows per
/// statement, the rest one by one) store exactly what single-row inserts store, in order; a failing row in a later
/// statement rolls back the whole batch. Same contract on PostgreSQL.
/// </summary>
public sealed class SqlAuditStoreBatchSizeTests
{
    private static readonly DateTimeOffset Time0 = DateTimeOffset.FromUnixTimeMilliseconds(1_760_000_000_000);

    private static AuditRow Row(long seq, Random rnd, string? id = null)
    {
        byte[] Bytes(int n) { var b = new byte[n]; rnd.NextBytes(b); return b; }
        string? Maybe(string s) => rnd.Next(3) == 0 ? null : s;
        var actor = new AuditActor { KeyId = Maybe($"k{seq % 7}"), Principal = Maybe("p\u00e9"), Agent = Maybe("a"), EndUser = Maybe($"u\"{seq}'"), Admin = Maybe("ad") };
        return new AuditRow(seq, id ?? $"evt{seq:D6}", Time0.AddMilliseconds(seq * 3), seq % 2 == 0 ? "chat.request" : "tool.call", $"t{seq % 3}", actor,
            Maybe($"t/user/\u00fc{seq % 5}"), seq % 4 == 0 ? "events" : "prompts", Bytes(1 + rnd.Next(700)), Bytes(32), Bytes(32), rnd.Next(4) == 0 ? null : Bytes(rnd.Next(1, 200)));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Backends), MemberType = typeof(TestDatabases))]
    public async Task Batches_of_every_size_around_the_statement_width_store_every_row_exactly_and_in_order(string backend)
    {
        await using var db = await TestDatabases.CreateAsync(backend);
        await using var store = new SqlAuditStore(db);
        var rnd = new Random(7);
        var w = SqliteAppender.RowsPerStatement;
        var expected = new List<AuditRow>();
        foreach (var size in new[] { 1, w - 1, w, w + 1, 2 * w, 2 * w + 3, 0, 3 * w + w - 1, 5 })
        {
            var rows = Enumerable.Range(0, size).Select(i => Row(expected.Count + i, rnd)).ToArray();
            var end = expected.Count + size;
            await store.AppendAsync(t => new AuditBatch(rows, new AuditTail(end, size > 0 ? rows[^1].ChainHash : t.ChainHash, [], 0), null));
            expected.AddRange(rows);
        }
        var back = new List<AuditRow>();
        await foreach (var r in store.ReadRowsAsync(0, long.MaxValue)) back.Add(r);
        Assert.Equal(expected.Count, back.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            var (a, b) = (expected[i], back[i]);
            Assert.Equal((a.Sequence, a.Id, a.Time, a.Type, a.Tenant, a.Actor, a.Subject, a.DataClass), (b.Sequence, b.Id, b.Time, b.Type, b.Tenant, b.Actor, b.Subject, b.DataClass));
            Assert.Equal(a.Canonical, b.Canonical);
            Assert.Equal(a.LeafHash, b.LeafHash);
            Assert.Equal(a.ChainHash, b.ChainHash);
            Assert.Equal(a.Payload, b.Payload);
        }
        Assert.Equal(expected.Count, (await store.ReadTailAsync()).Size);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Backends), MemberType = typeof(TestDatabases))]
    public async Task A_duplicate_id_in_a_later_statement_rolls_back_the_whole_batch_and_the_store_goes_on(string backend)
    {
        await using var db = await TestDatabases.CreateAsync(backend);
        await using var store = new SqlAuditStore(db);
        var rnd = new Random(11);
        var w = SqliteAppender.RowsPerStatement;
        var first = Enumerable.Range(0, 3).Select(i => Row(i, rnd)).ToArray();
        await store.AppendAsync(t => new AuditBatch(first, new AuditTail(3, first[^1].ChainHash, [], 0), null));
        // Rows 3 .. 3+2w+1: the row in the second full statement reuses an id already stored.
        var bad = Enumerable.Range(0, 2 * w + 2).Select(i => Row(3 + i, rnd, i == w + 4 ? first[1].Id : null)).ToArray();
        await Assert.ThrowsAnyAsync<Exception>(() => store.AppendAsync(t => new AuditBatch(bad, new AuditTail(3 + bad.Length, bad[^1].ChainHash, [], 0), null)));
        Assert.Equal(3, (await store.ReadTailAsync()).Size);
        var good = Enumerable.Range(0, w + 1).Select(i => Row(3 + i, rnd)).ToArray();
        await store.AppendAsync(t => new AuditBatch(good, new AuditTail(3 + good.Length, good[^1].ChainHash, [], 0), null));
        var ids = new List<string>();
        await foreach (var r in store.ReadRowsAsync(0, long.MaxValue)) ids.Add(r.Id);
        Assert.Equal(first.Select(r => r.Id).Concat(good.Select(r => r.Id)), ids);
    }
}
