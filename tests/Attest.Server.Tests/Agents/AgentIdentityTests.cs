using System.Text.Json.Nodes;
using Attest.Core.Config;
using Attest.Server.Hosting;
using Attest.Server.Tests.Gateway;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Attest.Server.Tests.Agents;

/// <summary>The agent endpoints resolve the caller through the gateway's identity resolver: on-behalf-of tokens included.</summary>
public sealed class AgentIdentityTests : IAsyncLifetime
{
    private const string Key = "atk_agent_identity_0123456789";
    private readonly string _dir = Directory.CreateTempSubdirectory("attest-agent-identity-").FullName;
    private readonly RecordingAuditLog _audit = new();
    private WebApplication? _tool;
    private WebApplication? _app;
    private int _toolCalls;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _tool = builder.Build();
        _tool.MapPost("/echo", () => { Interlocked.Increment(ref _toolCalls); return Results.Json(new { ok = true }); });
        await _tool.StartAsync();

        Environment.SetEnvironmentVariable("ATTEST_TEST_OBO_KEY", Obo.Secret);
        var keys = new TestKeys();
        keys.Add(Key, scopes: ["tools"], agent: "bot");
        var yaml = $$"""
            version: 1
            tenants: [{ id: acme }]
            identity:
              onBehalfOf: { issuer: "https://idp.test", audience: attest, signingKey: { env: ATTEST_TEST_OBO_KEY } }
            tools:
              - { id: echo, kind: http, url: "{{AttestHost.BoundAddress(_tool)}}/echo", impact: low }
            agents:
              - { id: bot, tenant: acme, impact: low, tools: [{ tool: echo, approval: never }] }
            """;
        _app = await AttestHost.BuildAsync(new StaticPolicySource(ConfigLoader.FromText(yaml, _dir)), new AttestHostOptions
        {
            Listen = "http://127.0.0.1:0",
            LogLevel = LogLevel.Warning,
            ConfigureServices = s =>
            {
                s.AddSingleton<Server.Gateway.IKeyAuthenticator>(keys);
                s.AddSingleton<Core.Audit.IAuditLog>(_audit);
            },
        });
        await _app.StartAsync();
    }

    private async Task<(int Status, JsonObject? Body)> InvokeAsync(string? obo)
    {
        using var http = new HttpClient { BaseAddress = new Uri(AttestHost.BoundAddress(_app!) + "/") };
        http.DefaultRequestHeaders.Authorization = new("Bearer", Key);
        if (obo is not null) http.DefaultRequestHeaders.Add("x-attest-obo", obo);
        var (status, body, _, _) = await Http.PostAsync(http, "v1/tools/echo/invoke", """{"arguments":{}}""");
        return (status, body);
    }

    [Fact]
    public async Task A_valid_on_behalf_of_token_names_the_end_user_in_the_tool_call_record()
    {
        var (status, _) = await InvokeAsync(Obo.Token("dana"));
        Assert.Equal(200, status);
        var call = Assert.Single(_audit.Records, r => r.Type == "tool.call");
        Assert.Equal("dana", call.Actor.EndUser);
        Assert.Equal("bot", call.Actor.Agent);
        Assert.Equal(1, _toolCalls);
    }

    [Fact]
    public async Task A_bad_token_is_refused_with_an_OpenAI_style_401_and_recorded_and_the_tool_is_not_called()
    {
        var (status, body) = await InvokeAsync(Obo.Token("dana", secret: "another-signing-key-0123456789abcdef"));
        Assert.Equal(401, status);
        Assert.Equal("invalid_obo_token", Http.Code(body));
        Assert.Equal("authentication_error", body!["error"]!["type"]!.GetValue<string>());
        Assert.True(body["error"]!.AsObject().ContainsKey("param"));
        var denied = Assert.Single(_audit.Records, r => r.Type == "policy.decision");
        Assert.Equal("deny", denied.Decision);
        Assert.Equal(["invalid_obo_token"], denied.Reasons);
        Assert.Equal("bot", denied.Actor.Agent);
        Assert.Equal("/v1/tools/echo/invoke", denied.Attributes["endpoint"]);
        Assert.DoesNotContain(_audit.Records, r => r.Type == "tool.call");
        Assert.Equal(0, _toolCalls);
    }

    [Fact]
    public async Task Without_a_token_the_call_is_the_agents_own()
    {
        var (status, _) = await InvokeAsync(null);
        Assert.Equal(200, status);
        Assert.Null(Assert.Single(_audit.Records, r => r.Type == "tool.call").Actor.EndUser);
    }

    public async Task DisposeAsync()
    {
        foreach (var app in new[] { _app, _tool })
        {
            if (app is null) continue;
            await app.StopAsync();
            await app.DisposeAsync();
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
