using Attest.Audit.Log;
using Attest.Core.Audit;
using Attest.Storage.Audit;

namespace Attest.Storage.Tests.Audit;

/// <summary>The store's fast paths (positional inserts, one-parameter subject lookup) keep every value exactly.</summary>
public class SqlAuditStoreRowTests
{
    [Theory]
    [MemberData(nameof(TestDatabases.Backends), MemberType = typeof(TestDatabases))]
    public async Task Rows_round_trip_every_column_including_nulls_and_unicode(string backend)
    {
        await using var db = await TestDatabases.CreateAsync(backend);
        var store = new SqlAuditStore(db);
        var time = DateTimeOffset.FromUnixTimeMilliseconds(1_760_000_000_123);
        AuditRow[] rows =
        [
            new(0, "01A", time, "chat.request", "acme", new AuditActor { KeyId = "k1", EndUser = "ü\"s'er\\" }, "acme/user/é", "prompts",
                [1, 2, 3], Enumerable.Repeat((byte)7, 32).ToArray(), Enumerable.Repeat((byte)9, 32).ToArray(), [0, 255, 0]),
            new(1, "01B", time.AddMilliseconds(1), "tool.call", "t-2", new AuditActor { Principal = "p", Agent = "a", Admin = "ad" }, null, "events",
                [4], new byte[32], new byte[32], null),
        ];
        await store.AppendAsync(tail => new AuditBatch(rows, new AuditTail(2, rows[1].ChainHash, [], 0), null));
        var back = new List<AuditRow>();
        await foreach (var r in store.ReadRowsAsync(0, 10)) back.Add(r);
        Assert.Equal(2, back.Count);
        for (var i = 0; i < 2; i++)
        {
            var (a, b) = (rows[i], back[i]);
            Assert.Equal((a.Sequence, a.Id, a.Time, a.Type, a.Tenant, a.Actor, a.Subject, a.DataClass), (b.Sequence, b.Id, b.Time, b.Type, b.Tenant, b.Actor, b.Subject, b.DataClass));
            Assert.Equal(a.Canonical, b.Canonical);
            Assert.Equal(a.LeafHash, b.LeafHash);
            Assert.Equal(a.ChainHash, b.ChainHash);
            Assert.Equal(a.Payload, b.Payload);
        }
        Assert.Equal(2, (await store.ReadTailAsync()).Size);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Backends), MemberType = typeof(TestDatabases))]
    public async Task Live_subject_keys_are_found_for_any_subject_text_and_forgotten_ones_are_not(string backend)
    {
        await using var db = await TestDatabases.CreateAsync(backend);
        var store = new SqlAuditStore(db);
        string[] subjects = ["acme/user/é\"q'", "acme/tenant", "a,b]\\[\"", "中文 😀"];
        var now = DateTimeOffset.FromUnixTimeMilliseconds(1_760_000_000_000);
        foreach (var (s, i) in subjects.Select((s, i) => (s, i)))
            await store.AddSubjectKeyAsync(new SubjectKeyRecord($"sk_{i}", s, [(byte)i, 1, 2], now, null));
        // A lookup before the forget (SQLite: on the store's own key-lookup connection) must not leave a stale view behind.
        Assert.Equal(4, (await store.ActiveSubjectKeysAsync(subjects)).Count);
        Assert.Equal(1, await store.ForgetSubjectAsync(subjects[1], now));
        var live = await store.ActiveSubjectKeysAsync([.. subjects, "unknown"]);
        Assert.Equal(new[] { subjects[0], subjects[2], subjects[3] }.Order(StringComparer.Ordinal), live.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("sk_3", live[subjects[3]].KeyId);
        Assert.Equal(new byte[] { 3, 1, 2 }, live[subjects[3]].Wrapped);
        Assert.Empty(await store.ActiveSubjectKeysAsync(["nobody"]));
    }
}
