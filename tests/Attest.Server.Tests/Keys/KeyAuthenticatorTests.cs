using Attest.Core.Config;
using Attest.Core.Time;
using Attest.Server.Gateway;
using Attest.Server.Keys;
using Attest.Storage;
using Attest.Storage.Keys;
using Microsoft.Extensions.Logging.Abstractions;

namespace Attest.Server.Tests.Keys;

public class KeyAuthenticatorTests
{
    private static readonly DateTimeOffset T0 = new(2026, 5, 1, 9, 0, 0, TimeSpan.Zero);

    private sealed record Kit(KeyManager Manager, KeyAuthenticator Auth, KeyStore Store, ManualTimeProvider Clock, RecordingAuditLog Audit);

    private static async Task<Kit> CreateAsync(string yaml = "tenants: [ { id: acme }, { id: globex } ]\nmodels: [ { alias: chat-default } ]")
    {
        var policy = new StaticPolicySource(ConfigLoader.FromText(yaml));
        var db = new SqliteDatabase(Path.Combine(Path.GetTempPath(), "attest-tests", Guid.NewGuid().ToString("n"), "attest.db"));
        await MigrationRunner.ApplyAsync(db);
        var store = new KeyStore(db);
        var pepper = new KeyPepper(new byte[32]);
        var clock = new ManualTimeProvider(T0);
        var audit = new RecordingAuditLog();
        var configKeys = new ConfigKeys(pepper, policy);
        var auth = new KeyAuthenticator(store, configKeys, pepper, new KeyDirectory(store, configKeys), clock, NullLogger<KeyAuthenticator>.Instance);
        return new Kit(new KeyManager(store, pepper, policy, clock, audit), auth, store, clock, audit);
    }

    private static KeyRequest Acme(TimeSpan? expires = null) => new() { Tenant = "acme", Models = ["chat-default"], ExpiresIn = expires };

    [Fact]
    public async Task Created_key_authenticates_and_records_last_use_at_most_once_a_minute()
    {
        var kit = await CreateAsync();
        var issued = await kit.Manager.CreateAsync(Acme(), "ops");
        var ok = await kit.Auth.AuthenticateAsync(issued.Key);
        Assert.Equal(KeyFailure.None, ok.Failure);
        Assert.Equal(issued.Record.Id, ok.Key!.Id);
        Assert.Equal(["chat", "embeddings"], ok.Key.Scopes);
        Assert.Equal(T0, (await kit.Store.GetAsync(issued.Record.Id))!.LastUsedAt);
        kit.Clock.Advance(TimeSpan.FromSeconds(30));
        await kit.Auth.AuthenticateAsync(issued.Key);
        Assert.Equal(T0, (await kit.Store.GetAsync(issued.Record.Id))!.LastUsedAt);
        kit.Clock.Advance(TimeSpan.FromSeconds(31));
        await kit.Auth.AuthenticateAsync(issued.Key);
        Assert.Equal(T0.AddSeconds(61), (await kit.Store.GetAsync(issued.Record.Id))!.LastUsedAt);
        Assert.Equal(AuditEventTypesCreated, kit.Audit.Records.Single().Type);
        Assert.DoesNotContain(kit.Audit.Records.Single().Attributes.Values, v => v.Contains(issued.Key, StringComparison.Ordinal));
    }

    private const string AuditEventTypesCreated = "key.created";

    [Fact]
    public async Task Missing_and_unknown_keys_are_refused()
    {
        var kit = await CreateAsync();
        Assert.Equal(KeyFailure.Missing, (await kit.Auth.AuthenticateAsync(null)).Failure);
        Assert.Equal(KeyFailure.Missing, (await kit.Auth.AuthenticateAsync(" ")).Failure);
        Assert.Equal(KeyFailure.Unknown, (await kit.Auth.AuthenticateAsync(KeyMaterial.NewKey())).Failure);
        Assert.Equal(KeyFailure.Unknown, (await kit.Auth.AuthenticateAsync(new string('a', 10_000))).Failure);
    }

    [Fact]
    public async Task Revoked_key_is_denied_on_the_very_next_request()
    {
        var kit = await CreateAsync();
        var issued = await kit.Manager.CreateAsync(Acme(), "ops");
        Assert.Equal(KeyFailure.None, (await kit.Auth.AuthenticateAsync(issued.Key)).Failure);
        await kit.Manager.RevokeAsync(issued.Record.Id, "ops");
        Assert.Equal(KeyFailure.Revoked, (await kit.Auth.AuthenticateAsync(issued.Key)).Failure);
        Assert.Equal(["key.created", "key.revoked"], kit.Audit.Records.Select(r => r.Type));
    }

    [Fact]
    public async Task Expired_key_is_denied()
    {
        var kit = await CreateAsync();
        var issued = await kit.Manager.CreateAsync(Acme(TimeSpan.FromDays(30)), "ops");
        kit.Clock.Advance(TimeSpan.FromDays(30) - TimeSpan.FromSeconds(1));
        Assert.Equal(KeyFailure.None, (await kit.Auth.AuthenticateAsync(issued.Key)).Failure);
        kit.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(KeyFailure.Expired, (await kit.Auth.AuthenticateAsync(issued.Key)).Failure);
    }

    [Fact]
    public async Task Rotation_keeps_the_old_key_for_the_overlap_then_only_the_new_one_works()
    {
        var kit = await CreateAsync();
        var old = await kit.Manager.CreateAsync(Acme(), "ops");
        var fresh = await kit.Manager.RotateAsync(old.Record.Id, TimeSpan.FromHours(2), "ops");
        Assert.NotNull(fresh);
        Assert.Equal(old.Record.Id, fresh.Record.RotatedFrom);
        Assert.Equal(old.Record.Models, fresh.Record.Models);
        Assert.Equal(KeyFailure.None, (await kit.Auth.AuthenticateAsync(old.Key)).Failure);
        Assert.Equal(KeyFailure.None, (await kit.Auth.AuthenticateAsync(fresh.Key)).Failure);
        kit.Clock.Advance(TimeSpan.FromHours(2));
        Assert.Equal(KeyFailure.Expired, (await kit.Auth.AuthenticateAsync(old.Key)).Failure);
        Assert.Equal(KeyFailure.None, (await kit.Auth.AuthenticateAsync(fresh.Key)).Failure);
        Assert.Equal("key.rotated", kit.Audit.Records[^1].Type);
        Assert.Null(await kit.Manager.RotateAsync("key_missing", null, "ops"));
        await Assert.ThrowsAsync<KeyRequestException>(() => kit.Manager.RotateAsync(old.Record.Id, null, "ops"));
    }

    [Fact]
    public async Task Keys_declared_in_config_by_reference_are_honoured()
    {
        var env = "ATTEST_TEST_KEY_" + Guid.NewGuid().ToString("n");
        Environment.SetEnvironmentVariable(env, "declared-secret-value-1234567890");
        var kit = await CreateAsync($$"""
            tenants: [ { id: acme } ]
            keys:
              - id: ci-key
                tenant: acme
                scopes: [ chat ]
                secret: { env: {{env}} }
              - id: old-key
                tenant: acme
                expires: 2020-01-01T00:00:00Z
                secret: { env: {{env}}_OLD }
            """);
        Environment.SetEnvironmentVariable(env + "_OLD", "declared-old-secret-0987654321");
        var ok = await kit.Auth.AuthenticateAsync("declared-secret-value-1234567890");
        Assert.Equal(KeyFailure.None, ok.Failure);
        Assert.Equal("ci-key", ok.Key!.Id);
        Assert.Equal(["chat"], ok.Key.Scopes);
        Assert.Contains(await kit.Manager.ListAsync("acme"), k => k.Id == "ci-key");
        await Assert.ThrowsAsync<KeyRequestException>(() => kit.Manager.RevokeAsync("ci-key", "ops"));
    }

    [Fact]
    public async Task Invalid_requests_name_the_field()
    {
        var kit = await CreateAsync();
        var e = await Assert.ThrowsAsync<KeyRequestException>(() => kit.Manager.CreateAsync(new KeyRequest { Tenant = "nope" }, "ops"));
        Assert.Equal(("unknown_tenant", "tenant"), (e.Code, e.Param));
        e = await Assert.ThrowsAsync<KeyRequestException>(() => kit.Manager.CreateAsync(Acme() with { Scopes = ["root"] }, "ops"));
        Assert.Equal(("unknown_scope", "scopes"), (e.Code, e.Param));
        e = await Assert.ThrowsAsync<KeyRequestException>(() => kit.Manager.CreateAsync(Acme() with { Models = ["gpt-x"] }, "ops"));
        Assert.Equal(("unknown_model", "models"), (e.Code, e.Param));
    }

    [Fact]
    public async Task A_create_whose_audit_record_fails_is_undone()
    {
        var kit = await CreateAsync();
        kit.Audit.Fail = true;
        await Assert.ThrowsAsync<InvalidOperationException>(() => kit.Manager.CreateAsync(Acme(), "ops"));
        Assert.Empty(await kit.Store.ListAsync());
    }
}
