using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Attest.Server.Tests.Gateway;

/// <summary>A real Kestrel server on loopback speaking the OpenAI and Anthropic wire protocols (SSE included), with failure modes.</summary>
public sealed class FakeUpstream : IAsyncLifetime
{
    private WebApplication? _app;
    public string BaseUrl { get; private set; } = "";
    public ConcurrentDictionary<string, int> Hits { get; } = new();
    public ConcurrentQueue<string> Credentials { get; } = new();
    public ConcurrentQueue<JsonObject> Bodies { get; } = new();
    public ConcurrentQueue<string> AzureCalls { get; } = new();

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        _app.MapPost("/openai/v1/chat/completions", async (HttpContext http) =>
        {
            var body = await Record(http, "openai");
            var text = "Hello from upstream";
            if (body["stream"]?.GetValue<bool>() == true)
            {
                http.Response.ContentType = "text/event-stream";
                foreach (var piece in new[] { "Hello ", "from ", "upstream" })
                {
                    await http.Response.WriteAsync("data: " + Chunk(piece, null).ToJsonString() + "\n\n");
                    await http.Response.Body.FlushAsync();
                }
                await http.Response.WriteAsync("data: " + Chunk(null, "stop").ToJsonString() + "\n\n");
                if (body["stream_options"]?["include_usage"]?.GetValue<bool>() == true)
                    await http.Response.WriteAsync("data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o-2024-08-06\",\"choices\":[],\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":3,\"total_tokens\":10}}\n\n");
                await http.Response.WriteAsync("data: [DONE]\n\n");
                return Results.Empty;
            }
            return Results.Json(new JsonObject
            {
                ["id"] = "c1", ["object"] = "chat.completion", ["created"] = 1, ["model"] = body["model"]?.DeepClone(),
                ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = text }, ["finish_reason"] = "stop" }),
                ["usage"] = new JsonObject { ["prompt_tokens"] = 7, ["completion_tokens"] = 3, ["total_tokens"] = 10 },
                ["upstream_extra"] = "kept",
            });
        });
        _app.MapPost("/azure/openai/deployments/d1/chat/completions", async (HttpContext http) =>
        {
            await Record(http, "azure");
            AzureCalls.Enqueue($"{http.Request.QueryString.Value} api-key={http.Request.Headers["api-key"]} auth={http.Request.Headers.Authorization}");
            return Results.Json(new JsonObject
            {
                ["id"] = "c2", ["object"] = "chat.completion", ["created"] = 1, ["model"] = "gpt-4o-2024-08-06",
                ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = "Hello from Azure" }, ["finish_reason"] = "stop" }),
            });
        });
        _app.MapPost("/fail500/v1/chat/completions", async (HttpContext http) =>
        {
            await Record(http, "fail500");
            return Results.Json(new { error = new { message = "internal failure with key sk-upstream-secret-123456", type = "server_error" } }, statusCode: 500);
        });
        _app.MapPost("/delayed/v1/chat/completions", async (HttpContext http) =>
        {
            await Record(http, "delayed");
            await Task.Delay(TimeSpan.FromMilliseconds(150), http.RequestAborted);
            return Results.Json(new JsonObject
            {
                ["id"] = "c3", ["object"] = "chat.completion", ["created"] = 1, ["model"] = "gpt-4o-2024-08-06",
                ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = "Hello, later" }, ["finish_reason"] = "stop" }),
            });
        });
        _app.MapPost("/slow/v1/chat/completions", async (HttpContext http) =>
        {
            await Record(http, "slow");
            await Task.Delay(TimeSpan.FromSeconds(10), http.RequestAborted);
            return Results.Empty;
        });
        _app.MapPost("/anthropic/v1/messages", async (HttpContext http) =>
        {
            var body = await Record(http, "anthropic");
            var tools = body["tools"] is JsonArray { Count: > 0 };
            if (body["stream"]?.GetValue<bool>() == true)
            {
                http.Response.ContentType = "text/event-stream";
                async Task Send(string type, JsonObject data)
                {
                    data["type"] = type;
                    await http.Response.WriteAsync($"event: {type}\ndata: {data.ToJsonString()}\n\n");
                    await http.Response.Body.FlushAsync();
                }
                await Send("message_start", new JsonObject { ["message"] = new JsonObject { ["id"] = "msg_1", ["model"] = body["model"]?.DeepClone(), ["usage"] = new JsonObject { ["input_tokens"] = 11, ["output_tokens"] = 1 } } });
                await Send("content_block_start", new JsonObject { ["index"] = 0, ["content_block"] = new JsonObject { ["type"] = "text", ["text"] = "" } });
                await Send("ping", []);
                await Send("content_block_delta", new JsonObject { ["index"] = 0, ["delta"] = new JsonObject { ["type"] = "text_delta", ["text"] = "Hello " } });
                await Send("content_block_delta", new JsonObject { ["index"] = 0, ["delta"] = new JsonObject { ["type"] = "text_delta", ["text"] = "from Claude" } });
                await Send("content_block_stop", new JsonObject { ["index"] = 0 });
                if (tools)
                {
                    await Send("content_block_start", new JsonObject { ["index"] = 1, ["content_block"] = new JsonObject { ["type"] = "tool_use", ["id"] = "toolu_1", ["name"] = "get_weather", ["input"] = new JsonObject() } });
                    await Send("content_block_delta", new JsonObject { ["index"] = 1, ["delta"] = new JsonObject { ["type"] = "input_json_delta", ["partial_json"] = "{\"city\":" } });
                    await Send("content_block_delta", new JsonObject { ["index"] = 1, ["delta"] = new JsonObject { ["type"] = "input_json_delta", ["partial_json"] = "\"Paris\"}" } });
                    await Send("content_block_stop", new JsonObject { ["index"] = 1 });
                }
                await Send("message_delta", new JsonObject { ["delta"] = new JsonObject { ["stop_reason"] = tools ? "tool_use" : "end_turn" }, ["usage"] = new JsonObject { ["output_tokens"] = 5 } });
                await Send("message_stop", []);
                return Results.Empty;
            }
            var content = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = "Hello from Claude" });
            if (tools) content.Add(new JsonObject { ["type"] = "tool_use", ["id"] = "toolu_1", ["name"] = "get_weather", ["input"] = new JsonObject { ["city"] = "Paris" } });
            return Results.Json(new JsonObject
            {
                ["id"] = "msg_1", ["type"] = "message", ["role"] = "assistant", ["model"] = body["model"]?.DeepClone(), ["content"] = content,
                ["stop_reason"] = tools ? "tool_use" : "end_turn", ["usage"] = new JsonObject { ["input_tokens"] = 11, ["output_tokens"] = 5 },
            });
        });
        await _app.StartAsync();
        BaseUrl = _app.Urls.First();
    }

    private async Task<JsonObject> Record(HttpContext http, string name)
    {
        Hits.AddOrUpdate(name, 1, (_, n) => n + 1);
        Credentials.Enqueue(http.Request.Headers.Authorization.FirstOrDefault() ?? http.Request.Headers["x-api-key"].FirstOrDefault() ?? "");
        var body = (JsonObject)(await JsonNode.ParseAsync(http.Request.Body))!;
        Bodies.Enqueue(body);
        return body;
    }

    private static JsonObject Chunk(string? content, string? finish) => new()
    {
        ["id"] = "c1", ["object"] = "chat.completion.chunk", ["created"] = 1, ["model"] = "gpt-4o-2024-08-06",
        ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = content is null ? new JsonObject() : new JsonObject { ["content"] = content }, ["finish_reason"] = finish }),
    };

    public int HitCount(string name) => Hits.TryGetValue(name, out var n) ? n : 0;

    public async Task DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
    }
}
