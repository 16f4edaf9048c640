using System.Net.Http.Headers;
using Attest.Core.Config;
using Attest.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Attest.Server.Tests.Gateway;

/// <summary>A real Attest server on loopback for one test, wired to the fake upstream.</summary>
public sealed class GatewayHost : IAsyncDisposable
{
    public const string UpstreamKey = "sk-upstream-secret-123456";
    public const string UpstreamKeyEnv = "ATTEST_TEST_GATEWAY_UPSTREAM_KEY";
    public const string ClientKey = "atk_test_chat_0123456789";

    private readonly WebApplication _app;
    private readonly string _dir;

    private GatewayHost(WebApplication app, string dir, TestKeys keys, RecordingAuditLog audit, CapturingLoggerProvider logs)
    {
        _app = app;
        _dir = dir;
        Keys = keys;
        Audit = audit;
        Logs = logs;
        BaseUrl = AttestHost.BoundAddress(app);
    }

    public string BaseUrl { get; }
    public TestKeys Keys { get; }
    public RecordingAuditLog Audit { get; }
    public CapturingLoggerProvider Logs { get; }
    public IServiceProvider Services => _app.Services;

    public static string Yaml(string upstream, string dataDir, string extra = "") => $"""
        version: 1
        server:
          maxRequestBodyBytes: 4096
          dataDir: {dataDir}
        tenants:
          - id: acme
        principals:
          - id: bob
            groups: [finance]
        identity:
          onBehalfOf:
            issuer: https://idp.test
            audience: attest
            signingKey:
              env: ATTEST_TEST_OBO_KEY
        providers:
          - id: local
            type: offline
          - id: up
            type: openai
            baseUrl: {upstream}/openai/v1
            apiKey:
              env: {UpstreamKeyEnv}
          - id: broken
            type: openai
            baseUrl: {upstream}/fail500/v1
            apiKey:
              env: {UpstreamKeyEnv}
          - id: azure
            type: openai
            baseUrl: {upstream}/azure/openai/deployments/d1
            apiVersion: 2024-10-21
            apiKey:
              env: {UpstreamKeyEnv}
          - id: delayed
            type: openai
            baseUrl: {upstream}/delayed/v1
          - id: slow
            type: openai
            baseUrl: {upstream}/slow/v1
            timeoutSeconds: 1
          - id: claude
            type: anthropic
            baseUrl: {upstream}/anthropic/v1
            apiKey:
              env: {UpstreamKeyEnv}
        models:
          - alias: chat-default
            targets:
              - provider: local
                model: offline-echo-2026-01
          - alias: embed-default
            kind: embedding
            targets:
              - provider: local
                model: offline-embed-2026-01
          - alias: up-chat
            targets:
              - provider: up
                model: gpt-4o-2024-08-06
          - alias: fallback-500
            targets:
              - provider: broken
                model: gpt-4o-2024-08-06
              - provider: up
                model: gpt-4o-2024-08-06
          - alias: fallback-timeout
            targets:
              - provider: slow
                model: gpt-4o-2024-08-06
              - provider: up
                model: gpt-4o-2024-08-06
          - alias: up-delayed
            targets:
              - provider: delayed
                model: gpt-4o-2024-08-06
          - alias: claude
            targets:
              - provider: claude
                model: claude-3-5-sonnet-20241022
          - alias: azure-chat
            targets:
              - provider: azure
                model: gpt-4o-2024-08-06
          - alias: loose
            targets:
              - provider: up
                model: gpt-4o
        {extra}
        """;

    public static async Task<GatewayHost> StartAsync(FakeUpstream upstream, Action<IServiceCollection>? services = null, string extraYaml = "")
    {
        Environment.SetEnvironmentVariable(UpstreamKeyEnv, UpstreamKey);
        Environment.SetEnvironmentVariable("ATTEST_TEST_OBO_KEY", Obo.Secret);
        var dir = Path.Combine(Path.GetTempPath(), "attest-gw-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var keys = new TestKeys();
        keys.Add(ClientKey, scopes: ["chat", "embeddings", "retrieve", "admin"]);
        var audit = new RecordingAuditLog();
        var logs = new CapturingLoggerProvider();
        var policy = new StaticPolicySource(ConfigLoader.FromText(Yaml(upstream.BaseUrl, dir, extraYaml), dir));
        var app = await AttestHost.BuildAsync(policy, new AttestHostOptions
        {
            Listen = "http://127.0.0.1:0",
            LogLevel = LogLevel.Trace,
            ConfigureServices = s =>
            {
                s.AddSingleton<Server.Gateway.IKeyAuthenticator>(keys);
                s.AddSingleton<Core.Audit.IAuditLog>(audit);
                s.AddSingleton<ILoggerProvider>(logs);
                services?.Invoke(s);
            },
        });
        await app.StartAsync();
        return new GatewayHost(app, dir, keys, audit, logs);
    }

    public HttpClient Client(string? key = ClientKey)
    {
        var http = new HttpClient { BaseAddress = new Uri(BaseUrl + "/") };
        if (key is not null) http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return http;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        try { Directory.Delete(_dir, recursive: true); }
        catch (IOException) { }
    }
}
