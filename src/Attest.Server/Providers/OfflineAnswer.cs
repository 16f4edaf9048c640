using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Attest.Server.Providers;

/// <summary>What the offline model says: text, or one tool call. Deterministic for a given request.</summary>
internal sealed record OfflineReply(string? Content, JsonObject? ToolCall, string FinishReason, int PromptTokens, int CompletionTokens);

/// <summary>
/// The offline model's rules, in order: answer a tool result; call a tool when tools are given and
/// the prompt names one (or <c>tool_choice</c> requires it); emit JSON for <c>response_format</c>;
/// quote the context lines (with their <c>[n]</c> citation markers) most relevant to the question;
/// otherwise echo a summary of the last user message.
/// </summary>
internal static partial class OfflineAnswer
{
    private const int SummaryWords = 40;

    public static OfflineReply Compose(JsonObject body)
    {
        var messages = (body["messages"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        var prompt = messages.Sum(m => OfflineText.CountTokens(ChatText.Of(m["content"])) + 3);
        var question = ChatText.LastUser(body);
        var summary = Summarise(question);

        if (messages.Count > 0 && messages[^1]["role"]?.GetValue<string>() == "tool")
            return Text($"The tool {ToolName(messages, messages[^1]["tool_call_id"]?.GetValue<string>())} returned: {ChatText.Of(messages[^1]["content"])}", body, prompt);

        if (PickTool(body, question) is { } tool)
        {
            var name = tool["name"]?.GetValue<string>() ?? "tool";
            var args = OfflineSchemaFill.Fill(tool["parameters"] ?? new JsonObject { ["type"] = "object" }, ArgumentText(question, name));
            var json = args?.ToJsonString() ?? "{}";
            var call = new JsonObject
            {
                ["id"] = "call_" + OfflineText.Hash(name + json).ToString("x16", CultureInfo.InvariantCulture),
                ["type"] = "function",
                ["function"] = new JsonObject { ["name"] = name, ["arguments"] = json },
            };
            return new OfflineReply(null, call, "tool_calls", prompt, OfflineText.CountTokens(json) + 3);
        }

        var format = body["response_format"];
        switch (format?["type"]?.GetValue<string>())
        {
            case "json_schema":
                return Text(OfflineSchemaFill.Fill(format["json_schema"]?["schema"], summary)?.ToJsonString() ?? "{}", body, prompt, truncate: false);
            case "json_object":
                return Text(new JsonObject { ["answer"] = summary }.ToJsonString(), body, prompt, truncate: false);
        }

        var context = messages.Where(m => m["role"]?.GetValue<string>() is "system" or "developer")
            .SelectMany(m => ChatText.Of(m["content"]).Split('\n'))
            .Where(l => CitationMarker().IsMatch(l)).ToList();
        if (context.Count > 0)
        {
            var asked = OfflineText.Words(question).ToHashSet(StringComparer.Ordinal);
            var best = context.Select((line, i) => (line, i, score: OfflineText.Words(line).Count(asked.Contains)))
                .Where(x => x.score > 0).OrderByDescending(x => x.score).ThenBy(x => x.i).Take(2).OrderBy(x => x.i)
                .Select(x => x.line.Trim()).ToList();
            if (best.Count > 0) return Text("From the provided context: " + string.Join(" ", best), body, prompt);
            return Text($"The provided context does not answer: {summary}", body, prompt);
        }
        return Text("You said: " + summary, body, prompt);
    }

    private static OfflineReply Text(string content, JsonObject body, int prompt, bool truncate = true)
    {
        var max = (body["max_completion_tokens"] ?? body["max_tokens"])?.GetValue<int>();
        var finish = "stop";
        if (truncate && max is > 0 && OfflineText.CountTokens(content) > max)
        {
            var words = content.Split(' ');
            var sb = new StringBuilder();
            foreach (var w in words)
            {
                if (OfflineText.CountTokens(sb + " " + w) > max) break;
                if (sb.Length > 0) sb.Append(' ');
                sb.Append(w);
            }
            content = sb.ToString();
            finish = "length";
        }
        return new OfflineReply(content, null, finish, prompt, OfflineText.CountTokens(content));
    }

    private static string Summarise(string text)
    {
        var words = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        return words.Length <= SummaryWords ? string.Join(' ', words) : string.Join(' ', words.Take(SummaryWords)) + " …";
    }

    private static JsonObject? PickTool(JsonObject body, string question)
    {
        if (body["tools"] is not JsonArray { Count: > 0 } tools) return null;
        var functions = tools.Select(t => t?["function"] as JsonObject).OfType<JsonObject>().ToList();
        var choice = body["tool_choice"];
        if (choice is JsonValue v && v.GetValue<string>() == "none") return null;
        if (choice?["function"]?["name"]?.GetValue<string>() is { } forced)
            return functions.FirstOrDefault(f => f["name"]?.GetValue<string>() == forced);
        var mentioned = functions.FirstOrDefault(f => f["name"]?.GetValue<string>() is { } n &&
            (question.Contains(n, StringComparison.OrdinalIgnoreCase) || question.Contains(n.Replace('_', ' '), StringComparison.OrdinalIgnoreCase)));
        if (mentioned is not null) return mentioned;
        return choice is JsonValue r && r.GetValue<string>() == "required" ? functions.FirstOrDefault() : null;
    }

    /// <summary>The value string arguments take: a quoted phrase in the prompt, else its last word that is not the tool's name.</summary>
    private static string ArgumentText(string question, string toolName)
    {
        var quoted = Quoted().Match(question);
        if (quoted.Success) return quoted.Groups[1].Value;
        var words = Word().Matches(question).Select(m => m.Value)
            .Where(w => !toolName.Contains(w, StringComparison.OrdinalIgnoreCase)).ToList();
        return words.Count > 0 ? words[^1] : question;
    }

    private static string ToolName(List<JsonObject> messages, string? callId)
    {
        foreach (var m in messages)
            foreach (var call in m["tool_calls"] as JsonArray ?? [])
                if (call?["id"]?.GetValue<string>() == callId) return call?["function"]?["name"]?.GetValue<string>() ?? "tool";
        return "tool";
    }

    [GeneratedRegex(@"\[\d+\]")]
    private static partial Regex CitationMarker();

    [GeneratedRegex("[\"“]([^\"”]{1,200})[\"”]")]
    private static partial Regex Quoted();

    [GeneratedRegex(@"[\p{L}\p{N}][\p{L}\p{N}\-\.]*[\p{L}\p{N}]|[\p{L}\p{N}]")]
    private static partial Regex Word();
}
