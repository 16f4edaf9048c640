using System.Security.Cryptography;
using System.Text;
using Attest.Core.Time;
using Attest.Guards.Redaction;
using Attest.Storage.Guards;
using Dapper;

namespace Attest.Storage.Tests.Guards;

public class SqlPseudonymStoreTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Ttl = TimeSpan.FromHours(24);

    private static Func<int, (string, byte[])> Maker(string label, string value, List<int>? seen = null) => n =>
    {
        lock (seen ?? []) seen?.Add(n);
        return ($"<{label}_{n}>", Encoding.UTF8.GetBytes("sealed:" + value));
    };

    [Theory]
    [MemberData(nameof(TestDatabases.Backends), MemberType = typeof(TestDatabases))]
    public async Task Binds_once_per_value_numbers_per_label_and_finds_by_placeholder(string backend)
    {
        await using var db = await TestDatabases.CreateAsync(backend);
        var clock = new ManualTimeProvider(T0);
        var store = new SqlPseudonymStore(db, clock);
        Assert.Equal("<EMAIL_1>", store.GetOrAdd("s1", "d-jane", "EMAIL", Maker("EMAIL", "jane"), T0 + Ttl));
        Assert.Equal("<EMAIL_2>", store.GetOrAdd("s1", "d-john", "EMAIL", Maker("EMAIL", "john"), T0 + Ttl));
        Assert.Equal("<PHONE_1>", store.GetOrAdd("s1", "d-phone", "PHONE", Maker("PHONE", "555"), T0 + Ttl));
        Assert.Equal("<EMAIL_1>", store.GetOrAdd("s1", "d-jane", "EMAIL", _ => throw new InvalidOperationException("must not create twice"), T0 + Ttl));
        Assert.Equal("<EMAIL_1>", store.GetOrAdd("s2", "d-john", "EMAIL", Maker("EMAIL", "john"), T0 + Ttl)); // scopes are independent

        Assert.Equal("sealed:john", Encoding.UTF8.GetString(store.Find("s1", "<EMAIL_2>", T0)!));
        Assert.Equal("sealed:john", Encoding.UTF8.GetString(store.Find("s2", "<EMAIL_1>", T0)!));
        Assert.Null(store.Find("s1", "<EMAIL_3>", T0));
        Assert.Null(store.Find("s3", "<EMAIL_1>", T0));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Backends), MemberType = typeof(TestDatabases))]
    public async Task Expiry_is_renewed_on_use_hides_expired_conversations_and_purge_deletes_them(string backend)
    {
        await using var db = await TestDatabases.CreateAsync(backend);
        var clock = new ManualTimeProvider(T0);
        var store = new SqlPseudonymStore(db, clock);
        store.GetOrAdd("live", "d1", "EMAIL", Maker("EMAIL", "a"), clock.GetUtcNow() + Ttl);
        store.GetOrAdd("idle", "d1", "EMAIL", Maker("EMAIL", "b"), clock.GetUtcNow() + Ttl);

        clock.Advance(TimeSpan.FromHours(20));
        store.GetOrAdd("live", "d1", "EMAIL", Maker("EMAIL", "a"), clock.GetUtcNow() + Ttl); // use renews the conversation
        clock.Advance(TimeSpan.FromHours(20));
        Assert.NotNull(store.Find("live", "<EMAIL_1>", clock.GetUtcNow()));
        Assert.Null(store.Find("idle", "<EMAIL_1>", clock.GetUtcNow())); // expired: not restorable, even before the purge

        Assert.Equal(1, store.Purge(clock.GetUtcNow()));
        Assert.Equal(0, store.Purge(clock.GetUtcNow()));
        await using var c = await db.OpenAsync();
        Assert.Equal(1L, await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM guard_pseudonyms"));

        // An expired conversation used again starts afresh: the old binding does not come back.
        store.GetOrAdd("gone", "d-old", "EMAIL", Maker("EMAIL", "old"), clock.GetUtcNow() + TimeSpan.FromMinutes(5));
        clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal("<EMAIL_1>", store.GetOrAdd("gone", "d-new", "EMAIL", Maker("EMAIL", "new"), clock.GetUtcNow() + Ttl));
        Assert.Equal("sealed:new", Encoding.UTF8.GetString(store.Find("gone", "<EMAIL_1>", clock.GetUtcNow())!));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Backends), MemberType = typeof(TestDatabases))]
    public async Task Replicas_binding_at_once_agree_per_value_and_never_share_a_placeholder(string backend)
    {
        await using var db = await TestDatabases.CreateAsync(backend);
        var clock = new ManualTimeProvider(T0);
        var replicas = new[] { new SqlPseudonymStore(db, clock), new SqlPseudonymStore(db, clock) };
        const int values = 6;
        var tasks = Enumerable.Range(0, 48).Select(i => Task.Run(() =>
        {
            int v = i % values;
            var p = replicas[i % 2].GetOrAdd("conv", $"d{v}", "EMAIL", Maker("EMAIL", $"v{v}"), T0 + Ttl);
            return (v, p);
        })).ToList();
        var results = await Task.WhenAll(tasks);

        var perValue = results.GroupBy(r => r.v).ToDictionary(g => g.Key, g => g.Select(r => r.p).Distinct().ToList());
        Assert.All(perValue.Values, ps => Assert.Single(ps)); // every caller got the same placeholder for a value
        var placeholders = perValue.Values.Select(ps => ps[0]).ToList();
        Assert.Equal(values, placeholders.Distinct().Count()); // and no two values share one
        foreach (var (v, ps) in perValue)
            Assert.Equal($"sealed:v{v}", Encoding.UTF8.GetString(replicas[0].Find("conv", ps[0], T0)!));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Backends), MemberType = typeof(TestDatabases))]
    public async Task Rows_hold_no_plaintext_and_another_instance_restores_with_the_same_key(string backend)
    {
        await using var db = await TestDatabases.CreateAsync(backend);
        var clock = new ManualTimeProvider(T0);
        var key = RandomNumberGenerator.GetBytes(32);
        const string scope = "acme\nu-42\nconversation-7781";
        var first = new PseudonymVault(key, new SqlPseudonymStore(db, clock), clock);
        Assert.Equal("<EMAIL_1>", first.Pseudonymize(scope, "EMAIL", "jane.doe@example.com"));
        Assert.Equal("<PHONE_1>", first.Pseudonymize(scope, "PHONE", "+44 20 7946 0958"));

        var second = new PseudonymVault(key, new SqlPseudonymStore(db, clock), clock);
        Assert.Equal("<EMAIL_1>", second.Pseudonymize(scope, "EMAIL", "jane.doe@example.com"));
        Assert.Equal("to jane.doe@example.com or +44 20 7946 0958", second.Restore(scope, "to <EMAIL_1> or <PHONE_1>"));
        var otherKey = new PseudonymVault(RandomNumberGenerator.GetBytes(32), new SqlPseudonymStore(db, clock), clock);
        Assert.Equal("to <EMAIL_1>", otherKey.Restore(scope, "to <EMAIL_1>")); // without the key nothing opens

        await using var c = await db.OpenAsync();
        var rows = (await c.QueryAsync<(string, string, string, string, byte[], long)>(
            "SELECT scope_id, value_digest, label, placeholder, sealed, expires_at FROM guard_pseudonyms")).ToList();
        Assert.Equal(2, rows.Count);
        var dump = string.Join("\n", rows.Select(r => $"{r.Item1}|{r.Item2}|{r.Item3}|{r.Item4}|{Encoding.UTF8.GetString(r.Item5)}|{Convert.ToHexString(r.Item5)}"));
        foreach (var secret in new[] { "jane.doe", "example.com", "7946 0958", "conversation-7781", "u-42", "acme" })
        {
            Assert.DoesNotContain(secret, dump, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(Convert.ToHexString(Encoding.UTF8.GetBytes(secret)), dump, StringComparison.OrdinalIgnoreCase);
        }
    }
}
