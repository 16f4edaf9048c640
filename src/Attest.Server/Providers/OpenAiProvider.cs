using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;

namespace Attest.Server.Providers;

/// <summary>
/// Any OpenAI-compatible endpoint (OpenAI, vLLM, Ollama, llama.cpp server, Azure OpenAI). The body is
/// forwarded as received except for <c>model</c>. With <c>apiVersion</c> set the Azure conventions
/// apply: <c>?api-version=</c> on the URL and the key in the <c>api-key</c> header.
/// </summary>
internal sealed class OpenAiProvider(IHttpClientFactory clients) : IModelProvider
{
    public string Type => "openai";

    public async Task<JsonObject> ChatAsync(ProviderCall call, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(call, "/chat/completions", stream: false, cancellationToken);
        return await UpstreamHttp.ReadObjectAsync(response, cancellationToken);
    }

    public async IAsyncEnumerable<JsonObject> ChatStreamAsync(ProviderCall call, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var response = await SendAsync(call, "/chat/completions", stream: true, cancellationToken);
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        await foreach (var (_, data) in SseReader.ReadAsync(body, cancellationToken))
        {
            if (data == "[DONE]") yield break;
            var chunk = UpstreamHttp.ParseObject(data);
            if (chunk["error"] is JsonObject err)
                throw new UpstreamException(UpstreamHttp.Scrub(err["message"]?.ToString() ?? "stream error", call.ApiKey), null, retryable: false);
            yield return chunk;
        }
    }

    public async Task<JsonObject> EmbedAsync(ProviderCall call, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(call, "/embeddings", stream: false, cancellationToken);
        return await UpstreamHttp.ReadObjectAsync(response, cancellationToken);
    }

    private async Task<HttpResponseMessage> SendAsync(ProviderCall call, string path, bool stream, CancellationToken cancellationToken)
    {
        var baseUrl = (call.Provider.BaseUrl ?? "https://api.openai.com/v1").TrimEnd('/');
        var url = baseUrl + path;
        if (call.Provider.ApiVersion is { Length: > 0 } version) url += "?api-version=" + Uri.EscapeDataString(version);
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = UpstreamHttp.Json(call.Body) };
        if (call.ApiKey is { Length: > 0 } key)
        {
            if (call.Provider.ApiVersion is { Length: > 0 }) request.Headers.TryAddWithoutValidation("api-key", key);
            else request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + key);
        }
        if (stream) request.Headers.TryAddWithoutValidation("Accept", "text/event-stream");
        return await UpstreamHttp.SendAsync(clients.CreateClient(UpstreamHttp.ClientName), request, call.ApiKey, stream, cancellationToken);
    }
}
