using System.Text.Json.Nodes;
using Attest.Core.Config;
using Attest.Guards.Redaction;
using Attest.Server.Hosting;
using Attest.Server.Tests.Gateway;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Attest.Server.Tests.Guards;

/// <summary>Streamed answers in pseudonymize mode: the audit record keeps placeholders, and a failing pseudonym store blocks the stream.</summary>
public sealed class StreamedPseudonymTests : IDisposable
{
    private const string Key = "atk_stream_pseudo_0123456789";
    private readonly string _dir = Directory.CreateTempSubdirectory("attest-stream-pseudo-").FullName;

    /// <summary>The in-memory store, optionally failing every lookup (as a database outage would).</summary>
    private sealed class FlakyStore : IPseudonymStore
    {
        private readonly InMemoryPseudonymStore _inner = new();
        public bool FailLookups { get; set; }
        public string GetOrAdd(string scopeId, string valueDigest, string label, Func<int, (string Placeholder, byte[] Sealed)> create, DateTimeOffset expires) =>
            _inner.GetOrAdd(scopeId, valueDigest, label, create, expires);
        public byte[]? Find(string scopeId, string placeholder, DateTimeOffset now) =>
            FailLookups ? throw new TimeoutException("pseudonym store unreachable") : _inner.Find(scopeId, placeholder, now);
        public int Purge(DateTimeOffset now) => _inner.Purge(now);
    }

    private async Task<(WebApplication App, RecordingAuditLog Audit, FlakyStore Store)> StartAsync()
    {
        var keys = new TestKeys();
        keys.Add(Key, scopes: ["chat"]);
        var audit = new RecordingAuditLog();
        var store = new FlakyStore();
        var yaml = """
            version: 1
            tenants: [{ id: acme }]
            providers: [{ id: local, type: offline }]
            models: [{ alias: chat-default, targets: [{ provider: local, model: offline-echo-2026-01 }] }]
            guards:
              - id: g
                actions: { input: { pii: redact }, output: { pii: flag } }
                redactionMode: pseudonymize
            """;
        var app = await AttestHost.BuildAsync(new StaticPolicySource(ConfigLoader.FromText(yaml, _dir)), new AttestHostOptions
        {
            Listen = "http://127.0.0.1:0",
            LogLevel = LogLevel.Warning,
            ConfigureServices = s =>
            {
                s.AddSingleton<Server.Gateway.IKeyAuthenticator>(keys);
                s.AddSingleton<Core.Audit.IAuditLog>(audit);
                s.AddSingleton<IPseudonymStore>(store);
            },
        });
        await app.StartAsync();
        return (app, audit, store);
    }

    private static HttpClient Client(WebApplication app)
    {
        var http = new HttpClient { BaseAddress = new Uri(AttestHost.BoundAddress(app) + "/") };
        http.DefaultRequestHeaders.Authorization = new("Bearer", Key);
        http.DefaultRequestHeaders.Add("x-attest-user", "u1");
        http.DefaultRequestHeaders.Add("x-attest-conversation", "conv-stream");
        return http;
    }

    private static string Deltas(string sse) => string.Concat(Http.Events(sse).Where(e => e != "[DONE]")
        .Select(e => JsonNode.Parse(e)?["choices"]?[0]?["delta"]?["content"]?.GetValue<string>()));

    [Fact]
    public async Task A_streamed_answer_is_restored_for_the_caller_but_audited_with_placeholders_like_a_buffered_one()
    {
        var (app, audit, _) = await StartAsync();
        await using var _app = app;
        using var http = Client(app);

        var (status, _, _, sse) = await Http.PostAsync(http, "v1/chat/completions", Http.Chat("chat-default", "Please email jane.doe@example.com today", stream: true));
        Assert.Equal(200, status);
        Assert.Equal("You said: Please email jane.doe@example.com today", Deltas(sse));
        var streamed = audit.Records.Last(r => r.Type == "chat.response").Payload!["response"]!.GetValue<string>();
        Assert.Equal("You said: Please email <EMAIL_1> today", streamed);

        var (bufferedStatus, body, _, _) = await Http.PostAsync(http, "v1/chat/completions", Http.Chat("chat-default", "Please email jane.doe@example.com today"));
        Assert.Equal(200, bufferedStatus);
        Assert.Equal("You said: Please email jane.doe@example.com today", body!["choices"]![0]!["message"]!["content"]!.GetValue<string>());
        var buffered = audit.Records.Last(r => r.Type == "chat.response").Payload!["response"]!.GetValue<string>();
        Assert.Equal(streamed, buffered);
        Assert.All(audit.Records, r => Assert.DoesNotContain("jane.doe@example.com", r.Payload?.ToJsonString() ?? "", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_pseudonym_store_failure_mid_stream_ends_the_stream_with_the_guard_error_event_and_records_the_denial()
    {
        var (app, audit, store) = await StartAsync();
        await using var _app = app;
        using var http = Client(app);
        store.FailLookups = true; // placeholders are bound on input, but cannot be restored on output

        var (status, _, _, sse) = await Http.PostAsync(http, "v1/chat/completions", Http.Chat("chat-default", "Please email jane.doe@example.com today", stream: true));
        Assert.Equal(200, status);
        var events = Http.Events(sse);
        Assert.Equal("[DONE]", events[^1]);
        Assert.Equal("guard_blocked", JsonNode.Parse(events[^2])!["error"]!["code"]!.GetValue<string>());
        Assert.DoesNotContain("<EMAIL_1>", sse, StringComparison.Ordinal);
        var denied = audit.Records.Last(r => r.Type == "chat.denied");
        Assert.Equal("block", denied.Decision);
        Assert.Contains("guard.fault.stream", denied.Reasons);
        Assert.Contains(audit.Records, r => r.Type == "policy.decision" && r.Attributes["faulted"] == "true" && r.Reasons.Contains("guard.fault.stream"));
    }

    [Fact]
    public async Task A_pseudonym_store_failure_while_restoring_a_buffered_answer_is_a_recorded_block_not_a_500()
    {
        var (app, audit, store) = await StartAsync();
        await using var _app = app;
        using var http = Client(app);
        store.FailLookups = true;

        var (status, body, _, text) = await Http.PostAsync(http, "v1/chat/completions", Http.Chat("chat-default", "Please email jane.doe@example.com today"));
        Assert.Equal(403, status);
        Assert.Equal("guard_blocked", Http.Code(body));
        Assert.DoesNotContain("<EMAIL_1>", text, StringComparison.Ordinal);
        var denied = audit.Records.Last(r => r.Type == "chat.denied");
        Assert.Equal("block", denied.Decision);
        Assert.Contains("guard.fault.restore", denied.Reasons);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
