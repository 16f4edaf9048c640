using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Attest.Server.Gateway;
using Attest.Server.Keys;
using Microsoft.Extensions.DependencyInjection;

namespace Attest.Cli.Demo;

/// <summary>Issues the demo's keys (one normal, one with a tiny token budget) and shows list and revoke through the admin API.</summary>
internal sealed class KeysDemoStep : IDemoStep
{
    public int Order => 15;
    public string Title => "Virtual keys: create, list, revoke";
    public string Controls => "CC6.1, CC6.2, CC6.3";

    public async Task<bool> RunAsync(DemoContext context, CancellationToken cancellationToken)
    {
        var manager = context.Server.Services.GetRequiredService<KeyManager>();
        var admin = await manager.CreateAsync(new KeyRequest { Tenant = "acme", Scopes = ["admin"] }, "demo", cancellationToken);
        context.Say($"Bootstrap admin key {admin.Record.Id} ({admin.Record.DisplayPrefix}…) created in-process; only its keyed hash is stored.");

        using var create = Post("admin/keys", admin.Key, new { scopes = new[] { "chat", "embeddings", "retrieve", "tools" }, expires = "30d" });
        using var created = await context.Http.SendAsync(create, cancellationToken);
        var key = await created.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        context.State["demo.key"] = key.GetProperty("key").GetString()!;
        context.State["demo.key.id"] = key.GetProperty("id").GetString()!;
        context.State["demo.admin.key"] = admin.Key;
        context.Say($"POST /admin/keys -> {(int)created.StatusCode}: key {key.GetProperty("id")} for acme (prefix {key.GetProperty("prefix")}), shown once");

        using var limitedReq = Post("admin/keys", admin.Key, new { scopes = new[] { "chat" }, tpm = 120 });
        using var limitedResp = await context.Http.SendAsync(limitedReq, cancellationToken);
        var limited = await limitedResp.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        context.State["demo.key.limited"] = limited.GetProperty("key").GetString()!;
        context.Say($"POST /admin/keys -> {(int)limitedResp.StatusCode}: key {limited.GetProperty("id")} with a tiny budget of 120 tokens per minute");

        using var thirdReq = Post("admin/keys", admin.Key, new { scopes = new[] { "chat" } });
        using var thirdResp = await context.Http.SendAsync(thirdReq, cancellationToken);
        var third = await thirdResp.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        var thirdId = third.GetProperty("id").GetString()!;

        using var listReq = new HttpRequestMessage(HttpMethod.Get, "admin/keys");
        listReq.Headers.Authorization = new AuthenticationHeaderValue("Bearer", admin.Key);
        using var listResp = await context.Http.SendAsync(listReq, cancellationToken);
        var list = await listResp.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        var count = list.GetProperty("data").GetArrayLength();
        var leaks = list.GetRawText().Contains(context.State["demo.key"], StringComparison.Ordinal);
        context.Say($"GET /admin/keys -> {(int)listResp.StatusCode}: {count} keys listed by id and prefix; no key material in the listing: {!leaks}");

        using var revokeReq = Post($"admin/keys/{thirdId}/revoke", admin.Key, null);
        using var revokeResp = await context.Http.SendAsync(revokeReq, cancellationToken);
        var auth = await context.Server.Services.GetRequiredService<IKeyAuthenticator>().AuthenticateAsync(third.GetProperty("key").GetString(), cancellationToken);
        context.Say($"POST /admin/keys/{thirdId}/revoke -> {(int)revokeResp.StatusCode}; the next authentication of that key: {auth.Failure} (audit: key.created x4, key.revoked)");

        return created.StatusCode == System.Net.HttpStatusCode.Created && limitedResp.StatusCode == System.Net.HttpStatusCode.Created
            && listResp.IsSuccessStatusCode && count >= 4 && !leaks && revokeResp.IsSuccessStatusCode && auth.Failure == KeyFailure.Revoked;
    }

    private static HttpRequestMessage Post(string path, string bearer, object? body)
    {
        var m = new HttpRequestMessage(HttpMethod.Post, path) { Content = body is null ? null : JsonContent.Create(body) };
        m.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        return m;
    }
}
