using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
using Attest.Core.Config;
using Attest.Core.Guards;
using Attest.Core.Time;
using Attest.Server.Gateway;
using Attest.Server.Hosting;
using Attest.Core.Audit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Attest.Agents.Tests;

/// <summary>A real Kestrel standing in for an HTTP tool (echoes the headers it got) and an alert webhook (records posts).</summary>
public sealed class FakeUpstream : IAsyncDisposable
{
    public WebApplication App { get; private set; } = null!;
    public string Url { get; private set; } = "";
    public ConcurrentQueue<string> ToolBodies { get; } = new();
    public ConcurrentQueue<string> Alerts { get; } = new();
    public bool FailAlerts { get; set; }

    public static async Task<FakeUpstream> StartAsync()
    {
        var f = new FakeUpstream();
        var b = WebApplication.CreateSlimBuilder();
        b.Logging.ClearProviders();
        b.WebHost.UseUrls("http://127.0.0.1:0");
        f.App = b.Build();
        f.App.MapPost("/echo", async (HttpContext http) =>
        {
            using var r = new StreamReader(http.Request.Body);
            var body = await r.ReadToEndAsync();
            f.ToolBodies.Enqueue(body);
            return Results.Json(new { received = JsonDocument.Parse(body).RootElement, headers = http.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString()) });
        });
        f.App.MapPost("/hook", async (HttpContext http) =>
        {
            using var r = new StreamReader(http.Request.Body);
            f.Alerts.Enqueue(await r.ReadToEndAsync());
            return f.FailAlerts ? Results.StatusCode(500) : Results.Ok();
        });
        await f.App.StartAsync();
        f.Url = f.App.Urls.First();
        return f;
    }

    public async ValueTask DisposeAsync() => await App.DisposeAsync();
}

/// <summary>Attest on loopback with a test policy: a real MCP filesystem server, a fake HTTP tool, test keys, a manual clock.</summary>
public sealed class AgentsHost : IAsyncDisposable
{
    public const string ToolSecret = "tool-secret-7f3a9c1e5b";
    public static readonly string SecretEnv = "ATTEST_TEST_TOOL_SECRET_" + Environment.ProcessId;

    public required WebApplication App { get; init; }
    public required HttpClient Http { get; init; }
    public required RecordingAuditLog Audit { get; init; }
    public required CapturingLoggerProvider Logs { get; init; }
    public required ManualTimeProvider Time { get; init; }
    public required FakeUpstream Fake { get; init; }
    public required string Files { get; init; }
    public T Service<T>() where T : notnull => App.Services.GetRequiredService<T>();

    public static string Yaml(string files, string fake, string entry, string dataDir) => $$"""
        version: 1
        server:
          dataDir: {{dataDir}}
          storage:
            kind: sqlite
        tenants:
          - id: acme
        principals:
          - id: alice
            roles: [approver]
          - id: bob
            roles: [approver]
          - id: root
            roles: [admin]
          - id: carol
        approvals:
          approverRole: approver
          expiry: 1h
          waitTimeout: 0s
        breakGlass:
          adminRole: admin
          maxDuration: 4h
          webhook: {{fake}}/hook
        tools:
          - id: files_read
            kind: mcp
            impact: low
            mcp: { command: node, args: ["{{entry}}", "{{files}}"], tool: read_text_file }
            constraints: { pathArguments: [path], pathPrefixes: ["{{files}}"] }
          - id: files_write
            kind: mcp
            impact: high
            mcp: { command: node, args: ["{{entry}}", "{{files}}"], tool: write_file }
            argumentsSchema:
              type: object
              required: [path, content]
              additionalProperties: false
              properties:
                path: { type: string }
                content: { type: string, maxLength: 10000 }
            constraints: { pathArguments: [path], pathPrefixes: ["{{files}}/out"] }
          - id: files_list
            kind: mcp
            mcp: { command: node, args: ["{{entry}}", "{{files}}"], tool: list_directory }
          - id: billing_refund
            kind: http
            url: {{fake}}/echo
            credentials: { env: {{SecretEnv}} }
            impact: medium
            argumentsSchema:
              type: object
              required: [amount]
              properties:
                amount: { type: number, minimum: 0 }
                note: { type: string }
        agents:
          - id: filer
            tenant: acme
            impact: low
            tools:
              - tool: files_read
                approval: never
              - tool: files_write
                approval: impact
            messageSchema:
              type: object
              required: [task]
              properties:
                task: { type: string, minLength: 1 }
          - id: biller
            tenant: acme
            impact: medium
            canMessage: [filer]
            tools:
              - tool: billing_refund
                approval: when
                when: amount > 100
                constraints: { maxValues: { amount: 1000 } }
        """;

    public static async Task<AgentsHost> StartAsync(bool withAuthenticator = true, bool withGuards = true)
    {
        Environment.SetEnvironmentVariable(SecretEnv, ToolSecret);
        var dir = TestEnvironment.TempDir();
        var files = Path.Combine(dir, "files");
        Directory.CreateDirectory(Path.Combine(files, "out"));
        await File.WriteAllTextAsync(Path.Combine(files, "report.txt"), "quarterly numbers: 42");
        await File.WriteAllTextAsync(Path.Combine(dir, "secret.txt"), "outside the scope");
        var fake = await FakeUpstream.StartAsync();
        var policy = new StaticPolicySource(ConfigLoader.FromText(Yaml(files, fake.Url, TestEnvironment.FilesystemServer(), Path.Combine(dir, ".attest")), dir));
        var audit = new RecordingAuditLog();
        var logs = new CapturingLoggerProvider();
        var time = new ManualTimeProvider(new DateTimeOffset(2026, 11, 1, 9, 0, 0, TimeSpan.Zero));
        var keys = new Dictionary<string, VirtualKey>
        {
            ["k-filer"] = TableAuthenticator.Key("key-filer", agent: "filer"),
            ["k-biller"] = TableAuthenticator.Key("key-biller", agent: "biller"),
            ["k-alice"] = TableAuthenticator.Key("key-alice", principal: "alice"),
            ["k-bob"] = TableAuthenticator.Key("key-bob", principal: "bob"),
            ["k-root"] = TableAuthenticator.Key("key-root", principal: "root"),
            ["k-carol"] = TableAuthenticator.Key("key-carol", principal: "carol"),
        };
        var app = await AttestHost.BuildAsync(policy, new AttestHostOptions
        {
            Listen = "http://127.0.0.1:0", Time = time, LogLevel = LogLevel.Trace,
            ConfigureServices = s =>
            {
                s.AddSingleton<IAuditLog>(audit);
                s.AddSingleton<ILoggerProvider>(logs);
                if (withGuards) s.AddSingleton<IGuardPipeline>(new MarkerGuard());
                if (withAuthenticator) s.AddSingleton<IKeyAuthenticator>(new TableAuthenticator(keys));
            },
        });
        await app.StartAsync();
        var http = new HttpClient { BaseAddress = new Uri(AttestHost.BoundAddress(app)) };
        return new AgentsHost { App = app, Http = http, Audit = audit, Logs = logs, Time = time, Fake = fake, Files = files };
    }

    public async Task<(int Status, JsonElement Body)> PostAsync(string key, string path, object body)
    {
        using var req = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        req.Headers.Authorization = new("Bearer", key);
        using var resp = await Http.SendAsync(req);
        var text = await resp.Content.ReadAsStringAsync();
        return ((int)resp.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    public async Task<(int Status, JsonElement Body)> GetAsync(string key, string path)
    {
        using var req = new HttpRequestMessage(HttpMethod.Get, path);
        req.Headers.Authorization = new("Bearer", key);
        using var resp = await Http.SendAsync(req);
        var text = await resp.Content.ReadAsStringAsync();
        return ((int)resp.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        await Fake.DisposeAsync();
    }
}
