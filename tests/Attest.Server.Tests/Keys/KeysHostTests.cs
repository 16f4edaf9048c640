using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Attest.Core.Config;
using Attest.Core.Identity;
using Attest.Server.Gateway;
using Attest.Server.Hosting;
using Attest.Server.Keys;
using Attest.Server.Limits;
using Attest.Server.Tests.Limits;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Attest.Server.Tests.Keys;

public class KeysHostTests
{
    private static async Task<WebApplication> StartAsync(string yaml)
    {
        var app = await AttestHost.BuildAsync(new StaticPolicySource(ConfigLoader.FromText(yaml)),
            new AttestHostOptions { Listen = "http://127.0.0.1:0", LogLevel = LogLevel.Warning });
        await app.StartAsync();
        return app;
    }

    private static string SqliteConfig() => $$"""
        server: { dataDir: {{Path.Combine(Path.GetTempPath(), "attest-tests", Guid.NewGuid().ToString("n"))}} }
        tenants: [ { id: acme }, { id: globex } ]
        """;

    private static HttpClient Client(WebApplication app, string? key)
    {
        var handler = new SocketsHttpHandler();
        var c = new HttpClient(handler) { BaseAddress = new Uri(AttestHost.BoundAddress(app)) };
        if (key is not null) c.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return c;
    }

    private static async Task<JsonElement> ErrorOf(HttpResponseMessage r) =>
        (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error");

    [Fact]
    public async Task Admin_api_creates_lists_rotates_and_revokes_keys_of_its_own_tenant()
    {
        await using var app = await StartAsync(SqliteConfig());
        var manager = app.Services.GetRequiredService<KeyManager>();
        var admin = await manager.CreateAsync(new KeyRequest { Tenant = "acme", Scopes = ["admin"] }, "test");
        var plain = await manager.CreateAsync(new KeyRequest { Tenant = "acme" }, "test");
        using var http = Client(app, admin.Key);

        using var created = await http.PostAsJsonAsync("admin/keys", new { scopes = new[] { "chat" }, rpm = 10, expires = "30d" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        var newKey = body.GetProperty("key").GetString()!;
        var newId = body.GetProperty("id").GetString()!;
        Assert.StartsWith("atk_", newKey);
        Assert.Equal(10, body.GetProperty("rpm").GetInt32());

        var list = await http.GetFromJsonAsync<JsonElement>("admin/keys");
        Assert.Equal(3, list.GetProperty("data").GetArrayLength());
        Assert.DoesNotContain(newKey, list.GetRawText(), StringComparison.Ordinal);

        using var rotated = await http.PostAsync($"admin/keys/{newId}/rotate", JsonContent.Create(new { overlap = "1h" }));
        Assert.Equal(HttpStatusCode.Created, rotated.StatusCode);
        Assert.Equal(newId, (await rotated.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("rotated_from").GetString());

        using var revoked = await http.PostAsync($"admin/keys/{newId}/revoke", null);
        Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
        var auth = app.Services.GetRequiredService<IKeyAuthenticator>();
        Assert.Equal(KeyFailure.Revoked, (await auth.AuthenticateAsync(newKey)).Failure);

        using var cross = await http.PostAsJsonAsync("admin/keys", new { tenant = "globex" });
        Assert.Equal(HttpStatusCode.Forbidden, cross.StatusCode);
        Assert.Equal("tenant_mismatch", (await ErrorOf(cross)).GetProperty("code").GetString());

        using var noScope = await Client(app, plain.Key).GetAsync("admin/keys");
        Assert.Equal(HttpStatusCode.Forbidden, noScope.StatusCode);
        Assert.Equal("insufficient_scope", (await ErrorOf(noScope)).GetProperty("code").GetString());

        using var anonymous = await Client(app, null).GetAsync("admin/keys");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("missing_api_key", (await ErrorOf(anonymous)).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Admin_api_answers_bad_input_with_openai_shaped_errors()
    {
        await using var app = await StartAsync(SqliteConfig());
        var admin = await app.Services.GetRequiredService<KeyManager>().CreateAsync(new KeyRequest { Tenant = "acme", Scopes = ["admin"] }, "test");
        using var http = Client(app, admin.Key);
        using var malformed = await http.PostAsync("admin/keys", new StringContent("{not json", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        var e = await ErrorOf(malformed);
        Assert.Equal("invalid_json", e.GetProperty("code").GetString());
        Assert.Equal("invalid_request_error", e.GetProperty("type").GetString());

        using var badScope = await http.PostAsJsonAsync("admin/keys", new { scopes = new[] { "root" } });
        Assert.Equal("scopes", (await ErrorOf(badScope)).GetProperty("param").GetString());
        using var badType = await http.PostAsJsonAsync("admin/keys", new { rpm = "many" });
        Assert.Equal("invalid_type", (await ErrorOf(badType)).GetProperty("code").GetString());
        using var missing = await http.PostAsync("admin/keys/key_nope/revoke", null);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("key_not_found", (await ErrorOf(missing)).GetProperty("code").GetString());
    }

    [RedisFact]
    public async Task Two_hosts_on_one_postgres_and_one_redis_share_keys_revocation_and_budget()
    {
        var pg = Environment.GetEnvironmentVariable("ATTEST_TEST_POSTGRES");
        if (pg is null) return; // eng/test.sh always sets it; ATTEST_REQUIRE_SERVERS makes the Redis half fail loudly
        var name = "attest_" + Guid.NewGuid().ToString("n");
        await using (var admin = new NpgsqlConnection(pg))
        {
            await admin.OpenAsync();
            await using var cmd = admin.CreateCommand();
            cmd.CommandText = $"CREATE DATABASE {name}";
            await cmd.ExecuteNonQueryAsync();
        }
        var env = "ATTEST_TEST_PG_" + Guid.NewGuid().ToString("n");
        Environment.SetEnvironmentVariable(env, new NpgsqlConnectionStringBuilder(pg) { Database = name }.ToString());
        var tenant = LimitsTestKit.NewTenant();
        var dataDir = Path.Combine(Path.GetTempPath(), "attest-tests", Guid.NewGuid().ToString("n"));
        var yaml = $$"""
            server:
              dataDir: {{dataDir}}
              redis: {{LimitsTestKit.RedisEndpoint}}
              storage: { kind: postgres, connectionString: { env: {{env}} } }
            tenants:
              - id: {{tenant}}
                limits: { tokensPerDay: 6000 }
            """;
        await using var a = await StartAsync(yaml);
        await using var b = await StartAsync(yaml);
        Assert.IsType<RedisCounterStore>(a.Services.GetRequiredService<ICounterStore>());

        var issued = await a.Services.GetRequiredService<KeyManager>().CreateAsync(new KeyRequest { Tenant = tenant }, "test");
        var authB = b.Services.GetRequiredService<IKeyAuthenticator>();
        Assert.Equal(KeyFailure.None, (await authB.AuthenticateAsync(issued.Key)).Failure);

        var limiters = new[] { a.Services.GetRequiredService<IUsageLimiter>(), b.Services.GetRequiredService<IUsageLimiter>() };
        var identity = new RequestIdentity { Tenant = tenant, KeyId = issued.Record.Id };
        var granted = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Task.Run(async () =>
            (await limiters[i % 2].ReserveAsync(identity, new UsageEstimate("m", 50, 0))).Reservation is not null)));
        Assert.Equal(6000 / 50, granted.Count(g => g));

        await a.Services.GetRequiredService<KeyManager>().RevokeAsync(issued.Record.Id, "test");
        Assert.Equal(KeyFailure.Revoked, (await authB.AuthenticateAsync(issued.Key)).Failure);
    }
}
