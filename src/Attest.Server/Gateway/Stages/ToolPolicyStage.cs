using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Attest.Core.Agents;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Attest.Server.Gateway.Stages;

/// <summary>
/// Checks every tool call the model proposes with the registered <see cref="IToolCallPolicy"/>: a
/// disallowed call is removed, or the whole answer is refused (<c>tool_not_allowed</c>), per the
/// agent's <c>proposedToolPolicy</c>. Streamed tool calls are held back until complete, checked, then
/// released whole. No policy registered: calls pass through. A policy that throws denies (fail closed).
/// </summary>
internal sealed partial class ToolPolicyStage(IServiceProvider services, ILogger<ToolPolicyStage> logger) : IChatStage
{
    private readonly IToolCallPolicy? _policy = services.GetService<IToolCallPolicy>();

    public int Order => 500;

    public async ValueTask<ChatOutcome> InvokeAsync(ChatExchange x, ChatNext next, CancellationToken cancellationToken)
    {
        if (_policy is null) return await next(x, cancellationToken);
        var outcome = await next(x, cancellationToken);
        if (outcome.Stream is { } stream) return ChatOutcome.Streaming(Hold(x, stream, cancellationToken));
        if (outcome.Completion is not { } completion) return outcome;
        foreach (var choice in completion["choices"] as JsonArray ?? [])
        {
            if (choice?["message"] is not JsonObject message || message["tool_calls"] is not JsonArray calls) continue;
            var (kept, error) = Check(x, calls);
            if (error is not null) return ChatOutcome.Denied(error);
            Replace(choice.AsObject(), message, kept);
        }
        return outcome;
    }

    /// <summary>Returns the allowed calls, or an error when a disallowed call blocks the answer.</summary>
    private (JsonArray Kept, GatewayError? Error) Check(ChatExchange x, JsonArray calls)
    {
        var kept = new JsonArray();
        foreach (var call in calls.OfType<JsonObject>())
        {
            var name = call["function"]?["name"]?.GetValue<string>() ?? "";
            var args = call["function"]?["arguments"]?.GetValue<string>() ?? "{}";
            try
            {
                var verdict = _policy!.CheckProposed(x.Identity, name, args);
                if (verdict.Allowed) { kept.Add(call.DeepClone()); continue; }
                x.Reasons.Add(verdict.Reason ?? $"tool_not_allowed:{name}");
                x.Attributes["tool_calls_removed"] = (calls.Count - kept.Count).ToString(System.Globalization.CultureInfo.InvariantCulture);
                if (_policy.OnDisallowed(x.Identity) == "block") return (kept, GatewayErrors.ToolNotAllowed(name, verdict.Reason));
                x.RaiseDecision("redact");
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogPolicyFailed(e.GetType().Name);
                return (kept, GatewayErrors.PolicyUnavailable());
            }
        }
        return (kept, null);
    }

    private static void Replace(JsonObject choice, JsonObject message, JsonArray kept)
    {
        if (kept.Count > 0) { message["tool_calls"] = kept; return; }
        message.Remove("tool_calls");
        if (message["content"] is null) message["content"] = "";
        if (choice["finish_reason"]?.GetValue<string>() == "tool_calls") choice["finish_reason"] = "stop";
    }

    private async IAsyncEnumerable<ChatStreamItem> Hold(ChatExchange x, IAsyncEnumerable<ChatStreamItem> stream,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var pending = new Dictionary<int, SortedDictionary<int, JsonObject>>();
        await foreach (var item in stream.WithCancellation(cancellationToken))
        {
            if (item.Chunk is not { } chunk) { yield return item; continue; }
            var emit = new List<JsonObject>();
            GatewayError? error = null;
            var keep = true;
            foreach (var choice in (chunk["choices"] as JsonArray ?? []).OfType<JsonObject>())
            {
                var index = choice["index"]?.GetValue<int>() ?? 0;
                if (choice["delta"] is JsonObject delta && delta["tool_calls"] is JsonArray parts)
                {
                    Accumulate(pending.TryGetValue(index, out var calls) ? calls : pending[index] = [], parts);
                    delta.Remove("tool_calls");
                    keep = delta.Count > 0 && !(delta.Count == 1 && delta["content"] is null) || choice["finish_reason"] is JsonValue;
                }
                if (choice["finish_reason"] is JsonValue && pending.Remove(index, out var done))
                {
                    var (kept, denied) = Check(x, new JsonArray([.. done.Values]));
                    if (denied is not null) { error = denied; break; }
                    if (kept.Count > 0)
                    {
                        for (var i = 0; i < kept.Count; i++) kept[i]!["index"] = i;
                        emit.Add(new JsonObject
                        {
                            ["id"] = chunk["id"]?.DeepClone(), ["object"] = "chat.completion.chunk", ["created"] = chunk["created"]?.DeepClone(), ["model"] = chunk["model"]?.DeepClone(),
                            ["choices"] = new JsonArray(new JsonObject { ["index"] = index, ["delta"] = new JsonObject { ["tool_calls"] = kept }, ["finish_reason"] = null }),
                        });
                    }
                    else if (choice["finish_reason"]!.GetValue<string>() == "tool_calls") choice["finish_reason"] = "stop";
                }
            }
            if (error is not null) { yield return ChatStreamItem.Fail(error); yield break; }
            foreach (var e in emit) yield return ChatStreamItem.Of(e);
            if (keep) yield return item;
        }
    }

    private static void Accumulate(SortedDictionary<int, JsonObject> calls, JsonArray parts)
    {
        foreach (var part in parts.OfType<JsonObject>())
        {
            var i = part["index"]?.GetValue<int>() ?? 0;
            if (!calls.TryGetValue(i, out var call))
                calls[i] = call = new JsonObject { ["id"] = "", ["type"] = "function", ["function"] = new JsonObject { ["name"] = "", ["arguments"] = "" } };
            if (part["id"]?.GetValue<string>() is { Length: > 0 } id) call["id"] = id;
            var fn = call["function"]!;
            if (part["function"]?["name"]?.GetValue<string>() is { Length: > 0 } name) fn["name"] = name;
            if (part["function"]?["arguments"]?.GetValue<string>() is { } args) fn["arguments"] = fn["arguments"]!.GetValue<string>() + args;
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Tool-call policy failed ({ExceptionType}); answer denied")]
    private partial void LogPolicyFailed(string exceptionType);
}
