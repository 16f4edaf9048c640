using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;

namespace Attest.Server.Providers;

/// <summary>
/// The built-in, deterministic provider: no network, answers composed by <see cref="OfflineAnswer"/>,
/// tokens counted by <see cref="OfflineText.CountTokens"/>, embeddings by <see cref="OfflineEmbeddings"/>.
/// The demo and test provider (see docs/providers.md).
/// </summary>
internal sealed class OfflineProvider(TimeProvider time) : IModelProvider
{
    private const int WordsPerChunk = 3;

    public string Type => "offline";

    public Task<JsonObject> ChatAsync(ProviderCall call, CancellationToken cancellationToken)
    {
        var reply = OfflineAnswer.Compose(call.Body);
        var message = new JsonObject { ["role"] = "assistant", ["content"] = reply.Content };
        if (reply.ToolCall is { } tool) message["tool_calls"] = new JsonArray(tool);
        return Task.FromResult(new JsonObject
        {
            ["id"] = Id(call),
            ["object"] = "chat.completion",
            ["created"] = time.GetUtcNow().ToUnixTimeSeconds(),
            ["model"] = call.Model,
            ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["message"] = message, ["logprobs"] = null, ["finish_reason"] = reply.FinishReason }),
            ["usage"] = AnthropicTranslator.Usage(reply.PromptTokens, reply.CompletionTokens),
            ["system_fingerprint"] = "attest-offline",
        });
    }

    public async IAsyncEnumerable<JsonObject> ChatStreamAsync(ProviderCall call, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var reply = OfflineAnswer.Compose(call.Body);
        var id = Id(call);
        var created = time.GetUtcNow().ToUnixTimeSeconds();
        JsonObject Chunk(JsonObject? delta, string? finish = null) => new()
        {
            ["id"] = id, ["object"] = "chat.completion.chunk", ["created"] = created, ["model"] = call.Model,
            ["system_fingerprint"] = "attest-offline",
            ["choices"] = delta is null ? new JsonArray() : new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = delta, ["logprobs"] = null, ["finish_reason"] = finish }),
        };
        yield return Chunk(new JsonObject { ["role"] = "assistant", ["content"] = "" });
        if (reply.ToolCall is { } tool)
        {
            var args = tool["function"]!["arguments"]!.GetValue<string>();
            var half = args.Length / 2;
            yield return Chunk(new JsonObject
            {
                ["tool_calls"] = new JsonArray(new JsonObject
                {
                    ["index"] = 0, ["id"] = tool["id"]!.DeepClone(), ["type"] = "function",
                    ["function"] = new JsonObject { ["name"] = tool["function"]!["name"]!.DeepClone(), ["arguments"] = "" },
                }),
            });
            foreach (var part in new[] { args[..half], args[half..] })
                yield return Chunk(new JsonObject { ["tool_calls"] = new JsonArray(new JsonObject { ["index"] = 0, ["function"] = new JsonObject { ["arguments"] = part } }) });
        }
        else
        {
            foreach (var piece in Pieces(reply.Content ?? ""))
            {
                cancellationToken.ThrowIfCancellationRequested();
                await Task.Yield();
                yield return Chunk(new JsonObject { ["content"] = piece });
            }
        }
        yield return Chunk(new JsonObject(), reply.FinishReason);
        if (call.Body["stream_options"]?["include_usage"]?.GetValue<bool>() == true)
        {
            var usage = Chunk(null);
            usage["usage"] = AnthropicTranslator.Usage(reply.PromptTokens, reply.CompletionTokens);
            yield return usage;
        }
    }

    public Task<JsonObject> EmbedAsync(ProviderCall call, CancellationToken cancellationToken)
    {
        var inputs = call.Body["input"] switch
        {
            JsonValue v when v.TryGetValue<string>(out var s) => [s],
            JsonArray a when a.All(x => x is JsonValue xv && xv.TryGetValue<string>(out _)) => a.Select(x => x!.GetValue<string>()).ToList(),
            _ => throw new UpstreamException("the offline provider embeds a string or an array of strings ('input')", 400, retryable: false),
        };
        var dims = call.Body["dimensions"]?.GetValue<int>() ?? OfflineEmbeddings.DefaultDimensions;
        if (dims is < 1 or > 4096) throw new UpstreamException("'dimensions' must be between 1 and 4096", 400, retryable: false);
        var base64 = call.Body["encoding_format"]?.GetValue<string>() == "base64";
        var data = new JsonArray();
        var tokens = 0;
        for (var i = 0; i < inputs.Count; i++)
        {
            var vector = OfflineEmbeddings.Embed(inputs[i], dims);
            tokens += OfflineText.CountTokens(inputs[i]);
            data.Add(new JsonObject
            {
                ["object"] = "embedding",
                ["index"] = i,
                ["embedding"] = base64 ? OfflineEmbeddings.ToBase64(vector) : new JsonArray([.. vector.Select(f => (JsonNode)f)]),
            });
        }
        return Task.FromResult(new JsonObject
        {
            ["object"] = "list",
            ["data"] = data,
            ["model"] = call.Model,
            ["usage"] = new JsonObject { ["prompt_tokens"] = tokens, ["total_tokens"] = tokens },
        });
    }

    private static string Id(ProviderCall call) =>
        "chatcmpl-offline-" + OfflineText.Hash(call.Body.ToJsonString()).ToString("x16", CultureInfo.InvariantCulture);

    /// <summary>Splits text into chunks of a few words, keeping the spaces so the pieces concatenate back exactly.</summary>
    private static IEnumerable<string> Pieces(string text)
    {
        int start = 0, words = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != ' ') continue;
            if (++words < WordsPerChunk) continue;
            yield return text[start..(i + 1)];
            start = i + 1;
            words = 0;
        }
        if (start < text.Length) yield return text[start..];
    }
}
