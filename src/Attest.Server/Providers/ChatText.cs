using System.Text;
using System.Text.Json.Nodes;

namespace Attest.Server.Providers;

/// <summary>Reads the text of an OpenAI message <c>content</c> (a string, or an array of parts).</summary>
public static class ChatText
{
    public static string Of(JsonNode? content)
    {
        switch (content)
        {
            case JsonValue v when v.TryGetValue<string>(out var s): return s;
            case JsonArray parts:
                var sb = new StringBuilder();
                foreach (var part in parts)
                {
                    if (part?["type"]?.GetValue<string>() is "text" && part["text"]?.GetValue<string>() is { } t)
                    {
                        if (sb.Length > 0) sb.Append('\n');
                        sb.Append(t);
                    }
                }
                return sb.ToString();
            default: return "";
        }
    }

    /// <summary>The text of the last message with role <c>user</c>, or empty.</summary>
    public static string LastUser(JsonObject body)
    {
        if (body["messages"] is not JsonArray messages) return "";
        for (var i = messages.Count - 1; i >= 0; i--)
            if (messages[i]?["role"]?.GetValue<string>() == "user") return Of(messages[i]!["content"]);
        return "";
    }
}
