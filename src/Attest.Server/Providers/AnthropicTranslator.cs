using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Attest.Server.Providers;

/// <summary>Translates OpenAI chat-completions requests to Anthropic's Messages API and answers back.</summary>
internal static class AnthropicTranslator
{
    public const int DefaultMaxTokens = 1024;

    public static JsonObject ToMessagesRequest(JsonObject body, string model, bool stream)
    {
        var system = new StringBuilder();
        var messages = new JsonArray();
        foreach (var node in body["messages"] as JsonArray ?? [])
        {
            if (node is not JsonObject m) continue;
            var role = m["role"]?.GetValue<string>() ?? "user";
            switch (role)
            {
                case "system" or "developer":
                    if (system.Length > 0) system.Append("\n\n");
                    system.Append(ChatText.Of(m["content"]));
                    break;
                case "tool":
                    Append(messages, "user", new JsonObject
                    {
                        ["type"] = "tool_result",
                        ["tool_use_id"] = m["tool_call_id"]?.GetValue<string>() ?? "",
                        ["content"] = ChatText.Of(m["content"]),
                    });
                    break;
                case "assistant":
                    if (ChatText.Of(m["content"]) is { Length: > 0 } said) Append(messages, "assistant", new JsonObject { ["type"] = "text", ["text"] = said });
                    foreach (var call in m["tool_calls"] as JsonArray ?? [])
                    {
                        var fn = call?["function"];
                        Append(messages, "assistant", new JsonObject
                        {
                            ["type"] = "tool_use",
                            ["id"] = call?["id"]?.GetValue<string>() ?? "",
                            ["name"] = fn?["name"]?.GetValue<string>() ?? "",
                            ["input"] = ParseArguments(fn?["arguments"]?.GetValue<string>()),
                        });
                    }
                    break;
                default:
                    Append(messages, "user", new JsonObject { ["type"] = "text", ["text"] = ChatText.Of(m["content"]) });
                    break;
            }
        }
        var request = new JsonObject
        {
            ["model"] = model,
            ["max_tokens"] = (body["max_completion_tokens"] ?? body["max_tokens"])?.GetValue<int>() ?? DefaultMaxTokens,
            ["messages"] = messages,
        };
        if (system.Length > 0) request["system"] = system.ToString();
        if (body["temperature"] is { } t) request["temperature"] = t.DeepClone();
        if (body["top_p"] is { } p) request["top_p"] = p.DeepClone();
        if (body["stop"] is JsonArray stops) request["stop_sequences"] = stops.DeepClone();
        else if (body["stop"] is JsonValue stop) request["stop_sequences"] = new JsonArray(stop.DeepClone());
        if (body["user"] is JsonValue user) request["metadata"] = new JsonObject { ["user_id"] = user.DeepClone() };
        if (body["tools"] is JsonArray tools && tools.Count > 0)
        {
            request["tools"] = new JsonArray([.. tools.Select(x => (JsonNode)new JsonObject
            {
                ["name"] = x?["function"]?["name"]?.DeepClone(),
                ["description"] = x?["function"]?["description"]?.DeepClone() ?? "",
                ["input_schema"] = x?["function"]?["parameters"]?.DeepClone() ?? new JsonObject { ["type"] = "object" },
            })]);
            if (ToolChoice(body["tool_choice"]) is { } choice) request["tool_choice"] = choice;
        }
        if (stream) request["stream"] = true;
        return request;
    }

    public static JsonObject ToCompletion(JsonObject message, DateTimeOffset now)
    {
        var text = new StringBuilder();
        var calls = new JsonArray();
        foreach (var block in message["content"] as JsonArray ?? [])
        {
            switch (block?["type"]?.GetValue<string>())
            {
                case "text": text.Append(block["text"]?.GetValue<string>()); break;
                case "tool_use":
                    calls.Add(new JsonObject
                    {
                        ["id"] = block["id"]?.DeepClone(),
                        ["type"] = "function",
                        ["function"] = new JsonObject
                        {
                            ["name"] = block["name"]?.DeepClone(),
                            ["arguments"] = block["input"]?.ToJsonString() ?? "{}",
                        },
                    });
                    break;
            }
        }
        var reply = new JsonObject { ["role"] = "assistant", ["content"] = text.Length > 0 || calls.Count == 0 ? text.ToString() : null };
        if (calls.Count > 0) reply["tool_calls"] = calls;
        int input = message["usage"]?["input_tokens"]?.GetValue<int>() ?? 0, output = message["usage"]?["output_tokens"]?.GetValue<int>() ?? 0;
        return new JsonObject
        {
            ["id"] = "chatcmpl-" + (message["id"]?.GetValue<string>() ?? "anthropic"),
            ["object"] = "chat.completion",
            ["created"] = now.ToUnixTimeSeconds(),
            ["model"] = message["model"]?.DeepClone(),
            ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["message"] = reply, ["finish_reason"] = FinishReason(message["stop_reason"]?.GetValue<string>()) }),
            ["usage"] = Usage(input, output),
        };
    }

    public static JsonObject Usage(int input, int output) =>
        new() { ["prompt_tokens"] = input, ["completion_tokens"] = output, ["total_tokens"] = input + output };

    public static string FinishReason(string? stopReason) => stopReason switch
    {
        "max_tokens" => "length",
        "tool_use" => "tool_calls",
        "refusal" => "content_filter",
        _ => "stop",
    };

    private static JsonObject? ToolChoice(JsonNode? choice) => choice switch
    {
        JsonValue v when v.GetValue<string>() == "required" => new JsonObject { ["type"] = "any" },
        JsonValue v when v.GetValue<string>() == "none" => new JsonObject { ["type"] = "none" },
        JsonValue => new JsonObject { ["type"] = "auto" },
        JsonObject o when o["function"]?["name"] is { } name => new JsonObject { ["type"] = "tool", ["name"] = name.DeepClone() },
        _ => null,
    };

    private static JsonNode ParseArguments(string? json)
    {
        if (string.IsNullOrWhiteSpace(json)) return new JsonObject();
        try { return JsonNode.Parse(json) ?? new JsonObject(); }
        catch (JsonException) { return new JsonObject { ["_raw"] = json }; }
    }

    /// <summary>Adds a content block, merging into the previous message when the role repeats (Anthropic requires alternation).</summary>
    private static void Append(JsonArray messages, string role, JsonObject block)
    {
        if (messages.Count > 0 && messages[^1] is JsonObject last && last["role"]?.GetValue<string>() == role && last["content"] is JsonArray content)
        {
            content.Add(block);
            return;
        }
        messages.Add(new JsonObject { ["role"] = role, ["content"] = new JsonArray(block) });
    }
}
