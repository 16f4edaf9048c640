using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

/// <summary>An OpenAI-compatible upstream on loopback (Kestrel) answering a fixed completion, or a fixed SSE stream.</summary>
internal static class FakeUpstream
{
    public const string Model = "gpt-4o-2024-08-06";

    private static readonly byte[] Completion = """{"id":"c1","object":"chat.completion","created":1,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"message":{"role":"assistant","content":"Hello from upstream"},"finish_reason":"stop"}],"usage":{"prompt_tokens":7,"completion_tokens":3,"total_tokens":10}}"""u8.ToArray();

    private static readonly string[] Chunks =
    [
        """data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"delta":{"role":"assistant","content":"Hello "},"finish_reason":null}]}""",
        """data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"delta":{"content":"from upstream"},"finish_reason":"stop"}]}""",
        """data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o-2024-08-06","choices":[],"usage":{"prompt_tokens":7,"completion_tokens":3,"total_tokens":10}}""",
        "data: [DONE]",
    ];

    /// <summary>Starts the upstream; with <paramref name="latency"/> above zero each answer waits that long first, as a model would.</summary>
    public static async Task<WebApplication> StartAsync(TimeSpan latency)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.MapPost("/v1/chat/completions", async (HttpContext http) =>
        {
            bool stream;
            using (var reader = new StreamReader(http.Request.Body)) stream = (await reader.ReadToEndAsync()).Contains("\"stream\":true", StringComparison.Ordinal);
            if (latency > TimeSpan.Zero) await Task.Delay(latency);
            if (!stream)
            {
                http.Response.ContentType = "application/json";
                await http.Response.Body.WriteAsync(Completion);
                return;
            }
            http.Response.ContentType = "text/event-stream";
            foreach (var c in Chunks)
            {
                await http.Response.WriteAsync(c + "\n\n");
                await http.Response.Body.FlushAsync();
            }
        });
        await app.StartAsync();
        return app;
    }
}
