using System.Text.Json.Nodes;
using Attest.Server.Hosting;
using Attest.Server.Tests.Gateway;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Attest.Server.Tests.Guards;

/// <summary>Structured output on streamed requests: held until the upstream stream ends, checked whole, then relayed or refused.</summary>
public sealed class StreamedSchemaTests : IAsyncLifetime
{
    private const string Key = "atk_streamed_schema_0123456789";
    private const string Valid = """{"answer":"42","sources":["a","b"]}""";
    private readonly string _dir = Directory.CreateTempSubdirectory("attest-streamed-schema-").FullName;
    private readonly RecordingAuditLog _audit = new();
    private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _upstreamFinished;
    private WebApplication? _upstream;
    private WebApplication? _app;

    public async Task InitializeAsync()
    {
        // "json" streams valid JSON, "prose" text that is not JSON; "gated" waits after its first piece until the test opens the gate.
        _upstream = await SchemaRouteHost.StartUpstreamAsync(async (mode, http) =>
        {
            var body = (JsonObject)(await JsonNode.ParseAsync(http.Request.Body))!;
            var text = mode switch { "prose" => "The answer is 42, from a and b.", "cut" => Valid[..20], _ => Valid };
            http.Response.ContentType = "text/event-stream";
            for (int i = 0; i < text.Length; i += 7)
            {
                await http.Response.WriteAsync("data: " + Chunk(text[i..Math.Min(text.Length, i + 7)], null) + "\n\n");
                await http.Response.Body.FlushAsync();
                if (i == 0 && mode == "gated") await _gate.Task.WaitAsync(TimeSpan.FromSeconds(10));
                if (i == 0 && mode == "json") await Task.Delay(50);
            }
            if (mode != "cut") await http.Response.WriteAsync("data: " + Chunk(null, "stop") + "\n\n"); // "cut" never finishes
            if (body["stream_options"]?["include_usage"]?.GetValue<bool>() == true)
                await http.Response.WriteAsync("data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o-2024-08-06\",\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":6,\"total_tokens\":15}}\n\n");
            await http.Response.Body.FlushAsync();
            _upstreamFinished = true;
            await http.Response.WriteAsync("data: [DONE]\n\n");
            return Results.Empty;
        });
        var upstream = AttestHost.BoundAddress(_upstream);

        var yaml = $$"""
            version: 1
            tenants: [{ id: acme }]
            providers:
              - { id: json, type: openai, baseUrl: "{{upstream}}/json/v1" }
              - { id: prose, type: openai, baseUrl: "{{upstream}}/prose/v1" }
              - { id: gated, type: openai, baseUrl: "{{upstream}}/gated/v1" }
              - { id: cut, type: openai, baseUrl: "{{upstream}}/cut/v1" }
            models:
              - { alias: structured, targets: [{ provider: json, model: gpt-4o-2024-08-06 }] }
              - { alias: structured-prose, targets: [{ provider: prose, model: gpt-4o-2024-08-06 }] }
              - { alias: structured-cut, targets: [{ provider: cut, model: gpt-4o-2024-08-06 }] }
              - { alias: free, targets: [{ provider: gated, model: gpt-4o-2024-08-06 }] }
            guards:
              - id: structured
                models: [structured, structured-prose, structured-cut]
                outputSchema: { type: object, required: [answer, sources], properties: { answer: { type: string }, sources: { type: array, items: { type: string } } } }
            """;
        _app = await SchemaRouteHost.StartGatewayAsync(yaml, _dir, Key, _audit);
    }

    private static string Chunk(string? content, string? finish) => SchemaRouteHost.Chunk(content, finish);

    private HttpClient Client() => SchemaRouteHost.Client(_app!, Key);

    private static string? Content(string data) =>
        JsonNode.Parse(data)!["choices"]?.AsArray().Select(c => c!["delta"]?["content"]?.GetValue<string>()).FirstOrDefault(c => c is not null);

    /// <summary>Reads the SSE body as it arrives; calls <paramref name="onFirstContent"/> when the first content chunk is received.</summary>
    private async Task<List<string>> ReadEventsAsync(string model, Action onFirstContent)
    {
        using var http = Client();
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions")
        {
            Content = Http.Json(Http.Chat(model, "Answer as JSON.", stream: true, extra: ""","stream_options":{"include_usage":true}""")),
        };
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(200, (int)response.StatusCode);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var events = new List<string>();
        var seen = false;
        while (await reader.ReadLineAsync() is { } line)
        {
            if (!line.StartsWith("data: ", StringComparison.Ordinal)) continue;
            events.Add(line[6..]);
            if (!seen && line[6..] != "[DONE]" && Content(line[6..]) is not null) { seen = true; onFirstContent(); }
        }
        return events;
    }

    [Fact]
    public async Task A_valid_streamed_answer_is_held_until_the_upstream_ends_then_relayed_whole_with_usage_and_done()
    {
        bool? finishedAtFirstContent = null;
        var events = await ReadEventsAsync("structured", () => finishedAtFirstContent = _upstreamFinished);
        Assert.True(finishedAtFirstContent); // nothing was sent before the whole answer was in and checked
        Assert.Equal("[DONE]", events[^1]);
        var chunks = events.SkipLast(1).Select(e => JsonNode.Parse(e)!).ToList();
        Assert.All(chunks, c => Assert.Null(c["error"]));
        Assert.Equal(Valid, string.Concat(events.SkipLast(1).Select(Content)));
        Assert.Equal("42", JsonNode.Parse(string.Concat(events.SkipLast(1).Select(Content)))!["answer"]!.GetValue<string>());
        Assert.Equal(15, chunks[^1]["usage"]!["total_tokens"]!.GetValue<int>());
        Assert.Contains(chunks, c => c["choices"]?[0]?["finish_reason"]?.GetValue<string>() == "stop");

        var response = Assert.Single(_audit.Records, r => r.Type == "chat.response");
        Assert.Equal(Valid, response.Payload!["response"]!.GetValue<string>());
        Assert.DoesNotContain(_audit.Records, r => r.Type == "chat.denied");
    }

    [Fact]
    public async Task An_invalid_streamed_answer_ends_with_the_guard_error_event_and_no_content_before_it()
    {
        var events = await ReadEventsAsync("structured-prose", () => { });
        Assert.Equal(2, events.Count);
        Assert.Equal("[DONE]", events[1]);
        var error = JsonNode.Parse(events[0])!["error"]!;
        Assert.Equal("guard_blocked", error["code"]!.GetValue<string>());
        Assert.Contains("schema.invalid_json", error["message"]!.GetValue<string>(), StringComparison.Ordinal);

        var denied = Assert.Single(_audit.Records, r => r.Type == "chat.denied");
        Assert.Equal("block", denied.Decision);
        Assert.Contains("schema.invalid_json", denied.Reasons);
        Assert.DoesNotContain(_audit.Records, r => r.Type == "chat.response");
    }

    [Fact]
    public async Task A_stream_the_upstream_never_finished_is_checked_as_it_stands_and_refused()
    {
        var events = await ReadEventsAsync("structured-cut", () => { });
        Assert.Equal(2, events.Count);
        Assert.Equal("guard_blocked", JsonNode.Parse(events[0])!["error"]!["code"]!.GetValue<string>());
        Assert.Contains(_audit.Records, r => r.Type == "chat.denied" && r.Reasons.Contains("schema.invalid_json"));
    }

    [Fact]
    public async Task A_route_without_a_schema_streams_chunks_as_they_pass_without_holding()
    {
        bool? finishedAtFirstContent = null;
        var events = await ReadEventsAsync("free", () =>
        {
            finishedAtFirstContent = _upstreamFinished;
            _gate.TrySetResult(); // the upstream sends the rest only once the client has seen the first chunk
        });
        Assert.False(finishedAtFirstContent);
        Assert.True(_gate.Task.IsCompletedSuccessfully);
        Assert.Equal(Valid, string.Concat(events.SkipLast(1).Select(Content)));
        Assert.Equal("[DONE]", events[^1]);
        Assert.Single(_audit.Records, r => r.Type == "chat.response");
    }

    public async Task DisposeAsync()
    {
        _gate.TrySetResult();
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
