using Attest.Storage.Keys;

namespace Attest.Storage.Tests.Keys;

public class KeyStoreTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly KeyPepper Pepper = new(new byte[32]);

    private static (StoredKey Key, string Secret) NewKey(string tenant = "acme", DateTimeOffset? expires = null)
    {
        var secret = KeyMaterial.NewKey();
        return (new StoredKey
        {
            Id = KeyMaterial.NewId(), KeyHash = Pepper.Hash(secret), DisplayPrefix = KeyMaterial.DisplayPrefix(secret),
            Tenant = tenant, Agent = "support-bot", Models = ["chat-default"], Scopes = ["chat", "embeddings"],
            RequestsPerMinute = 60, TokensPerMinute = 1000, CreatedAt = T0, ExpiresAt = expires,
        }, secret);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Backends), MemberType = typeof(TestDatabases))]
    public async Task Create_then_find_by_hash_round_trips_every_field_and_never_stores_the_key(string backend)
    {
        await using var db = await TestDatabases.CreateAsync(backend);
        var store = new KeyStore(db);
        var (key, secret) = NewKey(expires: T0.AddDays(30));
        await store.CreateAsync(key);
        var found = await store.FindByHashAsync(Pepper.Hash(secret));
        Assert.NotNull(found);
        Assert.Equal(key.Id, found.Id);
        Assert.Equal(["chat-default"], found.Models);
        Assert.Equal(["chat", "embeddings"], found.Scopes);
        Assert.Equal(60, found.RequestsPerMinute);
        Assert.Equal(1000, found.TokensPerMinute);
        Assert.Equal(T0, found.CreatedAt);
        Assert.Equal(T0.AddDays(30), found.ExpiresAt);
        Assert.Equal("support-bot", found.Agent);
        Assert.StartsWith("atk_", found.DisplayPrefix);
        Assert.Equal(10, found.DisplayPrefix.Length);
        Assert.DoesNotContain(secret, found.KeyHash, StringComparison.Ordinal);
        Assert.Null(await store.FindByHashAsync(Pepper.Hash(secret + "x")));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Backends), MemberType = typeof(TestDatabases))]
    public async Task Duplicate_hash_is_refused_by_the_unique_index(string backend)
    {
        await using var db = await TestDatabases.CreateAsync(backend);
        var store = new KeyStore(db);
        var (key, _) = NewKey();
        await store.CreateAsync(key);
        await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => store.CreateAsync(key with { Id = KeyMaterial.NewId() }));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Backends), MemberType = typeof(TestDatabases))]
    public async Task Revoke_marks_once_and_is_seen_by_the_next_lookup(string backend)
    {
        await using var db = await TestDatabases.CreateAsync(backend);
        var store = new KeyStore(db);
        var (key, secret) = NewKey();
        await store.CreateAsync(key);
        Assert.True(await store.RevokeAsync(key.Id, T0.AddMinutes(1)));
        Assert.False(await store.RevokeAsync(key.Id, T0.AddMinutes(2)));
        Assert.False(await store.RevokeAsync("key_missing", T0));
        var found = await store.FindByHashAsync(Pepper.Hash(secret));
        Assert.Equal(T0.AddMinutes(1), found!.RevokedAt);
        Assert.False(found.IsActive(T0.AddMinutes(1)));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Backends), MemberType = typeof(TestDatabases))]
    public async Task List_filters_by_tenant_newest_first(string backend)
    {
        await using var db = await TestDatabases.CreateAsync(backend);
        var store = new KeyStore(db);
        var (a, _) = NewKey("acme");
        var (b, _) = NewKey("acme");
        var (c, _) = NewKey("globex");
        await store.CreateAsync(a);
        await store.CreateAsync(b with { CreatedAt = T0.AddMinutes(5) });
        await store.CreateAsync(c);
        var acme = await store.ListAsync("acme");
        Assert.Equal([b.Id, a.Id], acme.Select(k => k.Id));
        Assert.Equal(3, (await store.ListAsync()).Count);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Backends), MemberType = typeof(TestDatabases))]
    public async Task Touch_writes_at_most_once_per_interval_and_expiry_can_be_set_and_cleared(string backend)
    {
        await using var db = await TestDatabases.CreateAsync(backend);
        var store = new KeyStore(db);
        var (key, _) = NewKey();
        await store.CreateAsync(key);
        var minute = TimeSpan.FromMinutes(1);
        Assert.True(await store.TouchAsync(key.Id, T0.AddSeconds(1), minute));
        Assert.False(await store.TouchAsync(key.Id, T0.AddSeconds(30), minute));
        Assert.True(await store.TouchAsync(key.Id, T0.AddSeconds(61), minute));
        Assert.Equal(T0.AddSeconds(61), (await store.GetAsync(key.Id))!.LastUsedAt);

        Assert.True(await store.SetExpiryAsync(key.Id, T0.AddHours(1)));
        Assert.Equal(T0.AddHours(1), (await store.GetAsync(key.Id))!.ExpiresAt);
        Assert.True(await store.SetExpiryAsync(key.Id, null));
        Assert.Null((await store.GetAsync(key.Id))!.ExpiresAt);
        Assert.True(await store.DeleteAsync(key.Id));
        Assert.Null(await store.GetAsync(key.Id));
    }
}
