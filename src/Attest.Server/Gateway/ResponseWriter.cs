using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Attest.Server.Gateway;

/// <summary>Writes answers: disclosure headers, JSON bodies, and SSE streams that end with <c>[DONE]</c> (after an error event when one ends them).</summary>
internal static class ResponseWriter
{
    public const string ModelHeader = "x-attest-model";
    public const string ProviderHeader = "x-attest-provider";
    public const string GeneratedHeader = "x-attest-ai-generated";

    // Relaxed escaping keeps quotes and non-ASCII text as providers send them (\" rather than \u0022); the body is JSON, never HTML.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly byte[] DataPrefix = "data: "u8.ToArray();
    private static readonly byte[] EventEnd = "\n\n"u8.ToArray();
    private static readonly byte[] Done = "data: [DONE]\n\n"u8.ToArray();

    public static void Disclose(HttpContext http, string? provider, string? model)
    {
        if (model is not null) http.Response.Headers[ModelHeader] = model;
        if (provider is not null) http.Response.Headers[ProviderHeader] = provider;
        http.Response.Headers[GeneratedHeader] = "true";
    }

    public static async Task JsonAsync(HttpContext http, JsonNode body)
    {
        http.Response.StatusCode = StatusCodes.Status200OK;
        http.Response.ContentType = "application/json";
        await using (var writer = new Utf8JsonWriter(http.Response.BodyWriter, WriterOptions))
            body.WriteTo(writer);
        await http.Response.BodyWriter.FlushAsync(http.RequestAborted);
    }

    public static async Task StreamAsync(HttpContext http, IAsyncEnumerable<ChatStreamItem> items)
    {
        http.Response.StatusCode = StatusCodes.Status200OK;
        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers["X-Accel-Buffering"] = "no";
        var body = http.Response.BodyWriter;
        try
        {
            await foreach (var item in items.WithCancellation(http.RequestAborted))
            {
                body.Write(DataPrefix);
                if (item.Error is { } error)
                {
                    body.Write(System.Text.Encoding.UTF8.GetBytes(error.ToJson()));
                    body.Write(EventEnd);
                    break;
                }
                await using (var writer = new Utf8JsonWriter(body, WriterOptions))
                    item.Chunk!.WriteTo(writer);
                body.Write(EventEnd);
                await body.FlushAsync(http.RequestAborted);
            }
            body.Write(Done);
            await body.FlushAsync(http.RequestAborted);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // The client went away; the stages' finally blocks settle limits and the audit stage has recorded what it could.
        }
    }
}
