using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;

namespace Attest.Server.Providers;

/// <summary>
/// Anthropic's Messages API behind OpenAI's chat-completions shape: requests, answers, tool use and
/// streaming events are translated both ways. Embeddings are not offered by Anthropic.
/// </summary>
internal sealed class AnthropicProvider(IHttpClientFactory clients, TimeProvider time) : IModelProvider
{
    public const string ApiVersion = "2023-06-01";

    public string Type => "anthropic";

    public async Task<JsonObject> ChatAsync(ProviderCall call, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(call, stream: false, cancellationToken);
        var message = await UpstreamHttp.ReadObjectAsync(response, cancellationToken);
        return AnthropicTranslator.ToCompletion(message, time.GetUtcNow());
    }

    public async IAsyncEnumerable<JsonObject> ChatStreamAsync(ProviderCall call, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var response = await SendAsync(call, stream: true, cancellationToken);
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        var state = new AnthropicStreamState(time.GetUtcNow().ToUnixTimeSeconds(), call.Model,
            call.Body["stream_options"]?["include_usage"]?.GetValue<bool>() == true);
        await foreach (var (_, data) in SseReader.ReadAsync(body, cancellationToken))
        {
            var ev = UpstreamHttp.ParseObject(data);
            if (ev["type"]?.GetValue<string>() == "error")
                throw new UpstreamException(UpstreamHttp.Scrub(ev["error"]?["message"]?.ToString() ?? "stream error", call.ApiKey), null, retryable: false);
            foreach (var chunk in state.Translate(ev)) yield return chunk;
            if (state.Finished) yield break;
        }
    }

    public Task<JsonObject> EmbedAsync(ProviderCall call, CancellationToken cancellationToken) =>
        throw new UpstreamException("the anthropic provider does not offer embeddings", 400, retryable: false);

    private async Task<HttpResponseMessage> SendAsync(ProviderCall call, bool stream, CancellationToken cancellationToken)
    {
        var url = (call.Provider.BaseUrl ?? "https://api.anthropic.com/v1").TrimEnd('/') + "/messages";
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = UpstreamHttp.Json(AnthropicTranslator.ToMessagesRequest(call.Body, call.Model, stream)),
        };
        if (call.ApiKey is { Length: > 0 } key) request.Headers.TryAddWithoutValidation("x-api-key", key);
        request.Headers.TryAddWithoutValidation("anthropic-version", ApiVersion);
        if (stream) request.Headers.TryAddWithoutValidation("Accept", "text/event-stream");
        return await UpstreamHttp.SendAsync(clients.CreateClient(UpstreamHttp.ClientName), request, call.ApiKey, stream, cancellationToken);
    }
}

/// <summary>Turns Anthropic stream events into OpenAI <c>chat.completion.chunk</c> objects. One per stream.</summary>
internal sealed class AnthropicStreamState(long created, string model, bool includeUsage)
{
    private string _id = "chatcmpl-anthropic";
    private string _model = model;
    private int _input, _output, _toolIndex = -1;
    private readonly Dictionary<int, int> _blockToTool = [];

    public bool Finished { get; private set; }

    public IEnumerable<JsonObject> Translate(JsonObject ev)
    {
        switch (ev["type"]?.GetValue<string>())
        {
            case "message_start":
                var msg = ev["message"];
                _id = "chatcmpl-" + (msg?["id"]?.GetValue<string>() ?? "anthropic");
                _model = msg?["model"]?.GetValue<string>() ?? _model;
                _input = msg?["usage"]?["input_tokens"]?.GetValue<int>() ?? 0;
                yield return Chunk(new JsonObject { ["role"] = "assistant", ["content"] = "" });
                break;
            case "content_block_start":
                if (ev["content_block"] is not JsonObject block || block["type"]?.GetValue<string>() != "tool_use") break;
                _blockToTool[ev["index"]?.GetValue<int>() ?? 0] = ++_toolIndex;
                yield return Chunk(new JsonObject
                {
                    ["tool_calls"] = new JsonArray(new JsonObject
                    {
                        ["index"] = _toolIndex, ["id"] = block["id"]?.DeepClone(), ["type"] = "function",
                        ["function"] = new JsonObject { ["name"] = block["name"]?.DeepClone(), ["arguments"] = "" },
                    }),
                });
                break;
            case "content_block_delta":
                var delta = ev["delta"];
                if (delta?["type"]?.GetValue<string>() == "text_delta")
                    yield return Chunk(new JsonObject { ["content"] = delta["text"]?.DeepClone() });
                else if (delta?["type"]?.GetValue<string>() == "input_json_delta" &&
                         _blockToTool.TryGetValue(ev["index"]?.GetValue<int>() ?? 0, out var tool))
                    yield return Chunk(new JsonObject
                    {
                        ["tool_calls"] = new JsonArray(new JsonObject
                        {
                            ["index"] = tool, ["function"] = new JsonObject { ["arguments"] = delta["partial_json"]?.DeepClone() ?? "" },
                        }),
                    });
                break;
            case "message_delta":
                _output = ev["usage"]?["output_tokens"]?.GetValue<int>() ?? _output;
                yield return Chunk(new JsonObject(), AnthropicTranslator.FinishReason(ev["delta"]?["stop_reason"]?.GetValue<string>()));
                break;
            case "message_stop":
                Finished = true;
                if (includeUsage)
                {
                    var usage = Chunk(null);
                    usage["usage"] = AnthropicTranslator.Usage(_input, _output);
                    yield return usage;
                }
                break;
        }
    }

    private JsonObject Chunk(JsonObject? delta, string? finish = null) => new()
    {
        ["id"] = _id,
        ["object"] = "chat.completion.chunk",
        ["created"] = created,
        ["model"] = _model,
        ["choices"] = delta is null ? new JsonArray() : new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = delta, ["finish_reason"] = finish }),
    };
}
