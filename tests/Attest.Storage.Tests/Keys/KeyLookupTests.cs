using System.Data.Common;
using System.Text.Json;
using Attest.Storage.Keys;

namespace Attest.Storage.Tests.Keys;

/// <summary>
/// The prepared per-request lookup by keyed hash (<see cref="KeyStore.FindByHashAsync"/>) against the generic
/// Dapper path it replaced: same records, every change by another replica seen on the next call, failures thrown.
/// </summary>
public class KeyLookupTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly KeyPepper Pepper = new(new byte[32]);

    private static (StoredKey Key, string Secret) RandomKey(Random rng)
    {
        var secret = KeyMaterial.NewKey();
        DateTimeOffset? Maybe(int minutes) => rng.Next(2) == 0 ? null : T0.AddMinutes(minutes);
        string? MaybeText(string s) => rng.Next(2) == 0 ? null : s + rng.Next(1000);
        string[] Some(params string[] all) => [.. all.Where(_ => rng.Next(2) == 0)];
        return (new StoredKey
        {
            Id = KeyMaterial.NewId(), KeyHash = Pepper.Hash(secret), DisplayPrefix = KeyMaterial.DisplayPrefix(secret),
            Tenant = "t" + rng.Next(5), Agent = MaybeText("agent"), Principal = MaybeText("user"),
            Models = Some("chat-default", "embed", "gpt-x"), Scopes = Some("chat", "embeddings", "retrieve", "tools"),
            RequestsPerMinute = rng.Next(2) == 0 ? null : rng.Next(1, 100_000), TokensPerMinute = rng.Next(2) == 0 ? null : rng.Next(1, int.MaxValue),
            CreatedAt = T0.AddMilliseconds(rng.Next()), ExpiresAt = Maybe(rng.Next(-100, 100)), RevokedAt = Maybe(rng.Next(100)),
            LastUsedAt = Maybe(rng.Next(100)), RotatedFrom = MaybeText("key_"),
        }, secret);
    }

    private static string Canonical(StoredKey? k) => JsonSerializer.Serialize(k);

    private static AttestDatabase SecondReplica(AttestDatabase db) => db switch
    {
        SqliteDatabase s => new SqliteDatabase(s.Path),
        PostgresDatabase p => new PostgresDatabase(p.DataSource.ConnectionString),
        _ => throw new InvalidOperationException(db.GetType().Name),
    };

    [Theory]
    [MemberData(nameof(TestDatabases.Backends), MemberType = typeof(TestDatabases))]
    public async Task Prepared_lookup_returns_exactly_what_the_generic_path_returns(string backend)
    {
        await using var db = await TestDatabases.CreateAsync(backend);
        using var store = new KeyStore(db);
        var rng = new Random(20261122);
        var secrets = new List<string>();
        for (var i = 0; i < 60; i++)
        {
            var (key, secret) = RandomKey(rng);
            await store.CreateAsync(key);
            secrets.Add(secret);
        }
        foreach (var secret in secrets.Append("atk_not_a_key_of_this_store"))
        {
            var hash = Pepper.Hash(secret);
            var expected = await store.FindByHashUnpreparedAsync(hash);
            Assert.Equal(Canonical(expected), Canonical(await store.FindByHashAsync(hash)));
            Assert.Equal(Canonical(expected), Canonical(await store.FindByHashAsync(hash))); // reused statement
        }
        Assert.Null(await store.FindByHashAsync(Pepper.Hash("atk_not_a_key_of_this_store")));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Backends), MemberType = typeof(TestDatabases))]
    public async Task Every_change_written_by_another_replica_is_seen_by_the_next_lookup(string backend)
    {
        await using var db = await TestDatabases.CreateAsync(backend);
        await using var otherDb = SecondReplica(db);
        using var mine = new KeyStore(db);
        using var other = new KeyStore(otherDb);
        var (key, secret) = RandomKey(new Random(7));
        key = key with { RevokedAt = null, ExpiresAt = null };
        await mine.CreateAsync(key);
        var hash = Pepper.Hash(secret);
        for (var i = 0; i < 3; i++) Assert.Null((await mine.FindByHashAsync(hash))!.RevokedAt); // statement warm

        Assert.True(await other.SetExpiryAsync(key.Id, T0.AddHours(2)));
        Assert.Equal(T0.AddHours(2), (await mine.FindByHashAsync(hash))!.ExpiresAt);
        Assert.True(await other.RevokeAsync(key.Id, T0.AddMinutes(3)));
        Assert.Equal(T0.AddMinutes(3), (await mine.FindByHashAsync(hash))!.RevokedAt);
        Assert.True(await other.DeleteAsync(key.Id));
        Assert.Null(await mine.FindByHashAsync(hash));
        await other.CreateAsync(key);
        Assert.Equal(Canonical(key), Canonical(await mine.FindByHashAsync(hash)));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Backends), MemberType = typeof(TestDatabases))]
    public async Task Concurrent_lookups_each_get_their_own_key_and_idle_statements_stay_bounded(string backend)
    {
        await using var db = await TestDatabases.CreateAsync(backend);
        using var store = new KeyStore(db);
        var rng = new Random(3);
        var keys = new List<(StoredKey Key, string Secret)>();
        for (var i = 0; i < 24; i++)
        {
            var k = RandomKey(rng);
            await store.CreateAsync(k.Key);
            keys.Add(k);
        }
        var results = await Task.WhenAll(Enumerable.Range(0, 400).Select(i => Task.Run(async () =>
        {
            var (key, secret) = keys[i % keys.Count];
            return Canonical(key) == Canonical(await store.FindByHashAsync(Pepper.Hash(secret)));
        })));
        Assert.All(results, Assert.True);
        Assert.InRange(store.IdleLookups, 0, KeyLookup.MaxIdle);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Backends), MemberType = typeof(TestDatabases))]
    public async Task A_failing_lookup_throws_instead_of_answering_and_the_next_one_recovers(string backend)
    {
        await using var db = await TestDatabases.CreateAsync(backend);
        using var store = new KeyStore(db);
        var (key, secret) = RandomKey(new Random(11));
        await store.CreateAsync(key);
        var hash = Pepper.Hash(secret);
        Assert.NotNull(await store.FindByHashAsync(hash));

        await ExecAsync(db, "ALTER TABLE attest_keys RENAME TO attest_keys_moved");
        await Assert.ThrowsAnyAsync<DbException>(() => store.FindByHashAsync(hash));
        await Assert.ThrowsAnyAsync<DbException>(() => store.FindByHashAsync(hash));
        await ExecAsync(db, "ALTER TABLE attest_keys_moved RENAME TO attest_keys");
        Assert.Equal(Canonical(key), Canonical(await store.FindByHashAsync(hash)));

        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.FindByHashAsync(hash, cancelled.Token));
        Assert.Equal(Canonical(key), Canonical(await store.FindByHashAsync(hash)));
    }

    [Fact]
    public async Task A_disposed_store_refuses_lookups_and_keeps_no_connection()
    {
        await using var db = await TestDatabases.CreateAsync("sqlite");
        var store = new KeyStore(db);
        var (key, secret) = RandomKey(new Random(5));
        await store.CreateAsync(key);
        Assert.NotNull(await store.FindByHashAsync(Pepper.Hash(secret)));
        Assert.Equal(1, store.IdleLookups);
        store.Dispose();
        Assert.Equal(0, store.IdleLookups);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => store.FindByHashAsync(Pepper.Hash(secret)));
    }

    private static async Task ExecAsync(AttestDatabase db, string sql)
    {
        await using var c = await db.OpenAsync();
        await using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        await cmd.ExecuteNonQueryAsync();
    }
}
