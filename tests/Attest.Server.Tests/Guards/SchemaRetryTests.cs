using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Attest.Server.Hosting;
using Attest.Server.Tests.Gateway;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Attest.Server.Tests.Guards;

/// <summary>The gateway's one configured retry of structured output that fails its schema (onSchemaFailure: retry).</summary>
public sealed class SchemaRetryTests : IAsyncLifetime
{
    private const string Key = "atk_schema_retry_0123456789";
    private readonly string _dir = Directory.CreateTempSubdirectory("attest-schema-retry-").FullName;
    private readonly RecordingAuditLog _audit = new();
    private readonly ConcurrentQueue<(string Mode, JsonObject Body)> _calls = new();
    private WebApplication? _upstream;
    private WebApplication? _app;

    public async Task InitializeAsync()
    {
        // "fix" answers prose first and valid JSON once told about the schema; "never" always answers prose.
        _upstream = await SchemaRouteHost.StartUpstreamAsync(async (mode, http) =>
        {
            var body = (JsonObject)(await JsonNode.ParseAsync(http.Request.Body))!;
            _calls.Enqueue((mode, body));
            var last = body["messages"]!.AsArray()[^1]!["content"]!.GetValue<string>();
            var text = mode == "fix" && last.Contains("JSON schema", StringComparison.Ordinal) ? """{"answer":"42"}""" : "The answer is 42.";
            if (body["stream"]?.GetValue<bool>() == true)
            {
                http.Response.ContentType = "text/event-stream";
                foreach (var piece in new[] { text[..6], text[6..] })
                    await http.Response.WriteAsync("data: " + Chunk(piece, null) + "\n\n");
                await http.Response.WriteAsync("data: " + Chunk(null, "stop") + "\n\ndata: [DONE]\n\n");
                return Results.Empty;
            }
            return Results.Json(new JsonObject
            {
                ["id"] = "c1", ["object"] = "chat.completion", ["created"] = 1, ["model"] = "gpt-4o-2024-08-06",
                ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = text }, ["finish_reason"] = "stop" }),
                ["usage"] = new JsonObject { ["prompt_tokens"] = 10, ["completion_tokens"] = 5, ["total_tokens"] = 15 },
            });
        });
        var upstream = AttestHost.BoundAddress(_upstream);

        var yaml = $$"""
            version: 1
            tenants: [{ id: acme }]
            providers:
              - { id: fix, type: openai, baseUrl: "{{upstream}}/fix/v1" }
              - { id: never, type: openai, baseUrl: "{{upstream}}/never/v1" }
            models:
              - { alias: fixes, targets: [{ provider: fix, model: gpt-4o-2024-08-06 }] }
              - { alias: never, targets: [{ provider: never, model: gpt-4o-2024-08-06 }] }
              - { alias: prose, targets: [{ provider: never, model: gpt-4o-2024-08-06 }] }
            guards:
              - id: structured
                models: [fixes, never]
                actions: { output: { schema: block } }
                outputSchema: { type: object, required: [answer], properties: { answer: { type: string } } }
                onSchemaFailure: retry
            """;
        _app = await SchemaRouteHost.StartGatewayAsync(yaml, _dir, Key, _audit);
    }

    private static string Chunk(string? content, string? finish) => SchemaRouteHost.Chunk(content, finish);

    private HttpClient Client() => SchemaRouteHost.Client(_app!, Key);

    [Fact]
    public async Task An_invalid_first_answer_is_retried_once_with_a_note_naming_the_error_and_the_client_gets_the_valid_one()
    {
        using var http = Client();
        var (status, body, _, _) = await Http.PostAsync(http, "v1/chat/completions", Http.Chat("fixes", "What is the answer? Reply as JSON."));
        Assert.Equal(200, status);
        Assert.Equal("""{"answer":"42"}""", body!["choices"]![0]!["message"]!["content"]!.GetValue<string>());

        var calls = _calls.Where(c => c.Mode == "fix").ToList();
        Assert.Equal(2, calls.Count);
        var note = calls[1].Body["messages"]!.AsArray()[^1]!;
        Assert.Equal("user", note["role"]!.GetValue<string>());
        Assert.Contains("schema.invalid_json", note["content"]!.GetValue<string>(), StringComparison.Ordinal);

        // Both attempts are on record: the rejected one, and the retry's request and response.
        var rejected = Assert.Single(_audit.Records, r => r.Type == "chat.denied");
        Assert.Equal("1", rejected.Attributes["schema_attempt"]);
        Assert.Equal("guard_blocked", rejected.Attributes["code"]);
        Assert.Contains("schema.retry", rejected.Reasons);
        var requests = _audit.Records.Where(r => r.Type == "chat.request").ToList();
        Assert.Equal(2, requests.Count);
        Assert.Equal("2", requests[1].Attributes["schema_attempt"]);
        var response = Assert.Single(_audit.Records, r => r.Type == "chat.response");
        Assert.Equal("2", response.Attributes["schema_attempt"]);
        Assert.NotEqual("block", response.Decision);
        Assert.Equal(10, response.OutputTokens); // usage of both attempts is counted
        Assert.Equal("""{"answer":"42"}""", response.Payload!["response"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_route_without_the_schema_policy_passes_prose_through_untouched()
    {
        using var http = Client();
        var (status, body, _, _) = await Http.PostAsync(http, "v1/chat/completions", Http.Chat("prose", "What is the answer?"));
        Assert.Equal(200, status);
        Assert.Equal("The answer is 42.", body!["choices"]![0]!["message"]!["content"]!.GetValue<string>());
        Assert.Single(_calls);
        Assert.DoesNotContain(_audit.Records, r => r.Type == "chat.denied");
    }

    [Fact]
    public async Task Two_invalid_answers_are_blocked_after_exactly_one_retry()
    {
        using var http = Client();
        var (status, body, _, _) = await Http.PostAsync(http, "v1/chat/completions", Http.Chat("never", "What is the answer?"));
        Assert.Equal(403, status);
        Assert.Equal("guard_blocked", Http.Code(body));
        Assert.Contains("schema.invalid_json", body!["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(2, _calls.Count(c => c.Mode == "never"));
        var denied = _audit.Records.Where(r => r.Type == "chat.denied").ToList();
        Assert.Equal(["1", "2"], denied.Select(d => d.Attributes["schema_attempt"]));
        Assert.All(denied, d => Assert.Equal("block", d.Decision));
        Assert.DoesNotContain(_audit.Records, r => r.Type == "chat.response");
    }

    [Fact]
    public async Task A_held_stream_that_fails_its_schema_is_retried_once_and_the_client_gets_only_the_valid_answer()
    {
        using var http = Client();
        var (status, _, _, sse) = await Http.PostAsync(http, "v1/chat/completions", Http.Chat("fixes", "What is the answer?", stream: true));
        Assert.Equal(200, status);
        var events = Http.Events(sse);
        Assert.Equal("[DONE]", events[^1]);
        Assert.DoesNotContain(events, e => e.Contains("\"error\"", StringComparison.Ordinal));
        var content = string.Concat(events.SkipLast(1).Select(e => JsonNode.Parse(e)!["choices"]!.AsArray()
            .Select(c => c!["delta"]?["content"]?.GetValue<string>()).FirstOrDefault()));
        Assert.Equal("""{"answer":"42"}""", content); // nothing of the rejected prose reached the client

        Assert.Equal(2, _calls.Count(c => c.Mode == "fix"));
        var rejected = Assert.Single(_audit.Records, r => r.Type == "chat.denied");
        Assert.Equal("1", rejected.Attributes["schema_attempt"]);
        Assert.Contains("schema.retry", rejected.Reasons);
        var response = Assert.Single(_audit.Records, r => r.Type == "chat.response");
        Assert.Equal("2", response.Attributes["schema_attempt"]);
        Assert.NotEqual("block", response.Decision);
        Assert.Equal("""{"answer":"42"}""", response.Payload!["response"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_held_stream_that_fails_twice_ends_with_the_guard_error_event_and_no_content()
    {
        using var http = Client();
        var (status, _, _, sse) = await Http.PostAsync(http, "v1/chat/completions", Http.Chat("never", "What is the answer?", stream: true));
        Assert.Equal(200, status);
        var events = Http.Events(sse);
        Assert.Equal(["[DONE]"], events.Skip(1));
        Assert.Equal("guard_blocked", JsonNode.Parse(events[0])!["error"]!["code"]!.GetValue<string>());
        Assert.Equal(2, _calls.Count(c => c.Mode == "never"));
        var denied = _audit.Records.Where(r => r.Type == "chat.denied").ToList();
        Assert.Equal(["1", "2"], denied.Select(d => d.Attributes["schema_attempt"]));
        Assert.DoesNotContain(_audit.Records, r => r.Type == "chat.response");
    }

    public async Task DisposeAsync()
    {
        foreach (var app in new[] { _app, _upstream })
        {
            if (app is null) continue;
            await app.StopAsync();
            await app.DisposeAsync();
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
