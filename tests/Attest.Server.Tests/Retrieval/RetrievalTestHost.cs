using Attest.Core.Audit;
using Attest.Core.Config;
using Attest.Core.Guards;
using Attest.Server.Gateway;
using Attest.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Attest.Server.Tests.Retrieval;

/// <summary>A real Attest server on loopback with in-test keys, guards and a recording audit log.</summary>
internal sealed class RetrievalTestHost : IAsyncDisposable
{
    public const string Yaml = """
        version: 1
        server: { storage: { kind: sqlite } }
        tenants: [{ id: acme }, { id: globex }]
        identity:
          onBehalfOf: { issuer: "https://idp.test", audience: attest, signingKey: { file: obo.key } }
        principals:
          - { id: alice, tenant: acme, groups: [finance] }
          - { id: bob, tenant: acme, groups: [engineering] }
          - { id: gina, tenant: globex, groups: [globex-staff] }
        groups:
          - { id: finance, tenant: acme }
          - { id: engineering, tenant: acme }
          - { id: globex-staff, tenant: globex }
        connectors:
          - id: wiki
            owner: docs-team
            classification: internal
            retention: 365d
            evalCases: [{ query: expense policy, expect: expenses, user: alice }]
          - id: draft
            classification: internal
        """;

    private RetrievalTestHost(WebApplication app, HttpClient http, RecordingAudit audit, string dir)
    {
        App = app;
        Http = http;
        Audit = audit;
        Directory = dir;
    }

    public WebApplication App { get; }
    public HttpClient Http { get; }
    public RecordingAudit Audit { get; }
    public string Directory { get; }

    public static async Task<RetrievalTestHost> StartAsync()
    {
        var dir = Path.Combine(Path.GetTempPath(), "attest-retrieval-http", Guid.NewGuid().ToString("n"));
        System.IO.Directory.CreateDirectory(dir);
        await File.WriteAllTextAsync(Path.Combine(dir, "obo.key"), Gateway.Obo.Secret);
        var audit = new RecordingAudit();
        var policy = new StaticPolicySource(ConfigLoader.FromText(Yaml, dir));
        var app = await AttestHost.BuildAsync(policy, new AttestHostOptions
        {
            Listen = "http://127.0.0.1:0",
            LogLevel = LogLevel.Warning,
            ConfigureServices = s =>
            {
                s.AddSingleton<IKeyAuthenticator>(new FakeKeys());
                s.AddSingleton<IAuditLog>(audit);
                s.AddSingleton<IGuardPipeline>(new FakeGuards());
            },
        });
        await app.StartAsync();
        var http = new HttpClient { BaseAddress = new Uri(AttestHost.BoundAddress(app) + "/") };
        return new RetrievalTestHost(app, http, audit, dir);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}

internal sealed class FakeKeys : IKeyAuthenticator
{
    private static readonly Dictionary<string, VirtualKey> Keys = new()
    {
        ["acme-app"] = Key("k1", "acme", "acme-app-svc", "retrieve", "ingest"),
        ["acme-readonly"] = Key("k2", "acme", null, "retrieve"),
        ["globex-app"] = Key("k3", "globex", null, "retrieve", "ingest"),
        ["acme-chat"] = Key("k4", "acme", null, "chat"),
    };

    private static VirtualKey Key(string id, string tenant, string? principal, params string[] scopes) =>
        new() { Id = id, Tenant = tenant, Principal = principal, DisplayPrefix = id, Scopes = scopes };

    public ValueTask<KeyAuthentication> AuthenticateAsync(string? presentedKey, CancellationToken cancellationToken = default) =>
        presentedKey == "store-down" ? throw new InvalidOperationException("the key store is unavailable")
        : ValueTask.FromResult(presentedKey is null ? new KeyAuthentication(null, KeyFailure.Missing)
            : Keys.TryGetValue(presentedKey, out var k) ? new KeyAuthentication(k, KeyFailure.None)
            : new KeyAuthentication(null, KeyFailure.Unknown));
}

internal sealed class RecordingAudit : IAuditLog
{
    private readonly List<AuditRecord> _records = [];
    public IReadOnlyList<AuditRecord> Records { get { lock (_records) return [.. _records]; } }

    public ValueTask<string> AppendAsync(AuditRecord record, CancellationToken cancellationToken = default)
    {
        lock (_records) { _records.Add(record); return ValueTask.FromResult("evt_" + _records.Count); }
    }
}

/// <summary>Flags "IGNORE PREVIOUS" as an injection (action flag: retrieval must still drop it) and redacts e-mail addresses.</summary>
internal sealed class FakeGuards : IGuardPipeline
{
    public ValueTask<GuardVerdict> EvaluateAsync(string text, GuardContext context, CancellationToken cancellationToken = default)
    {
        Assert.Equal(GuardDirection.Retrieved, context.Direction);
        Assert.NotNull(context.Classification);
        var i = text.IndexOf("IGNORE PREVIOUS", StringComparison.OrdinalIgnoreCase);
        if (i >= 0)
            return ValueTask.FromResult(new GuardVerdict { Action = GuardAction.Flag, Text = text, Findings = [new("injection", i, 15, 0.99, "inj.ignore_previous")] });
        if (text.Contains("@acme.example", StringComparison.Ordinal))
            return ValueTask.FromResult(new GuardVerdict { Action = GuardAction.Redact, Text = text.Replace("cfo@acme.example", "[EMAIL]", StringComparison.Ordinal), Findings = [new("pii.email", 0, 1, 1, "pii.email")] });
        return ValueTask.FromResult(GuardVerdict.Allowed(text));
    }

    public IStreamingGuardSession BeginStream(GuardContext context) => throw new NotSupportedException();
    public string Restore(string text, GuardContext context) => text;
}
