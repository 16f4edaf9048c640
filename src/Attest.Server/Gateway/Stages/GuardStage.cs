using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Attest.Core.Guards;
using Attest.Guards.Streaming;
using Microsoft.Extensions.DependencyInjection;

namespace Attest.Server.Gateway.Stages;

/// <summary>
/// Runs the registered <see cref="IGuardPipeline"/> over every input message before dispatch and over
/// the answer after (streams through <see cref="IGuardPipeline.BeginStream"/>): block denies
/// (<c>guard_blocked</c>; a stream ends with that error event), redact replaces the text, and
/// pseudonyms are restored for the caller. No pipeline registered: content passes through.
/// </summary>
internal sealed partial class GuardStage(IServiceProvider services) : IChatStage
{
    public const string ConversationHeader = "x-attest-conversation";
    private readonly IGuardPipeline? _guards = services.GetService<IGuardPipeline>();

    public int Order => 400;

    public async ValueTask<ChatOutcome> InvokeAsync(ChatExchange x, ChatNext next, CancellationToken cancellationToken)
    {
        if (_guards is null) return await next(x, cancellationToken);
        x.GuardsCollectResponse = true;
        foreach (var node in x.Body["messages"]!.AsArray())
        {
            if (node is not JsonObject m || x.InjectedMessages.Contains(m)) continue;
            var direction = m["role"]?.GetValue<string>() == "tool" ? GuardDirection.ToolResult : GuardDirection.Input;
            var error = await GuardContentAsync(x, m, direction, cancellationToken);
            if (error is not null) return ChatOutcome.Denied(error);
        }
        var outcome = await next(x, cancellationToken);
        if (outcome.Stream is { } stream) return ChatOutcome.Streaming(GuardStream(x, next, stream, cancellationToken));
        if (outcome.Completion is not { } completion) return outcome;
        if (await GuardCompletionAsync(x, completion, cancellationToken) is not { } blocked) return outcome;
        return x.Attributes.ContainsKey(SchemaRetryAttribute) ? await RetrySchemaAsync(x, next, blocked, cancellationToken) : ChatOutcome.Denied(blocked);
    }

    /// <summary>Guards each choice of a buffered answer and restores pseudonyms for the caller; returns a denial or null.</summary>
    private async ValueTask<GatewayError?> GuardCompletionAsync(ChatExchange x, JsonObject completion, CancellationToken cancellationToken)
    {
        foreach (var choice in completion["choices"] as JsonArray ?? [])
        {
            if (choice?["message"] is not JsonObject message || message["content"] is not JsonValue) continue;
            var error = await GuardContentAsync(x, message, GuardDirection.Output, cancellationToken);
            if (error is not null) return error;
            x.ResponseText.Append(message["content"]!.GetValue<string>());
            if (RestoreFault(x, message) is { } fault) return fault;
        }
        return null;
    }

    /// <summary>Guards a message's content (a string, or each text part); returns a denial or null after applying redactions.</summary>
    private async ValueTask<GatewayError?> GuardContentAsync(ChatExchange x, JsonObject message, GuardDirection direction, CancellationToken cancellationToken)
    {
        var context = Context(x, direction);
        if (message["content"] is JsonValue v && v.TryGetValue<string>(out var text))
        {
            var (replacement, error) = await CheckAsync(x, text, context, cancellationToken);
            if (error is not null) return error;
            if (replacement is not null) message["content"] = replacement;
        }
        else if (message["content"] is JsonArray parts)
        {
            foreach (var part in parts.OfType<JsonObject>())
            {
                if (part["text"] is not JsonValue pv || !pv.TryGetValue<string>(out var partText)) continue;
                var (replacement, error) = await CheckAsync(x, partText, context, cancellationToken);
                if (error is not null) return error;
                if (replacement is not null) part["text"] = replacement;
            }
        }
        return null;
    }

    private async ValueTask<(string? Replacement, GatewayError? Error)> CheckAsync(ChatExchange x, string text, GuardContext context, CancellationToken cancellationToken)
    {
        var verdict = await _guards!.EvaluateAsync(text, context, cancellationToken);
        x.Reasons.AddRange(verdict.Reasons.Except(x.Reasons, StringComparer.Ordinal));
        switch (verdict.Action)
        {
            case GuardAction.Block:
                if (!SchemaRetryAllowed(x, verdict, context)) x.RaiseDecision("block");
                return (null, GatewayErrors.GuardBlocked(context.Direction != GuardDirection.Output, verdict.Faulted ? ["guard_fault", .. verdict.Reasons] : verdict.Reasons));
            case GuardAction.Redact:
                x.RaiseDecision("redact");
                return (verdict.Text, null);
            case GuardAction.Flag:
                x.RaiseDecision("flag");
                return (null, null);
            default:
                return (null, null);
        }
    }

    /// <summary>
    /// Guards a streamed answer window by window. When an output schema applies (<see cref="IWholeOutputSession"/>), every
    /// item is held until the upstream stream ends and the whole answer passed the schema; a failure ends the stream
    /// with the guard error event and nothing of the held answer is sent (or, with <c>onSchemaFailure: retry</c>, the
    /// request is dispatched once more, since nothing was sent yet). Without a schema, chunks are relayed as they pass.
    /// </summary>
    private async IAsyncEnumerable<ChatStreamItem> GuardStream(ChatExchange x, ChatNext next, IAsyncEnumerable<ChatStreamItem> stream,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var context = Context(x, GuardDirection.Output);
        var sessions = new Dictionary<int, IStreamingGuardSession> { [0] = _guards!.BeginStream(context) };
        List<ChatStreamItem>? held = sessions[0] is IWholeOutputSession { ValidatesWholeOutput: true } ? [] : null;
        var completed = new HashSet<int>();
        GatewayError? rejected = null;
        await foreach (var item in stream.WithCancellation(cancellationToken))
        {
            if (rejected is not null) continue; // drain the rejected attempt so its usage is counted
            if (item.Chunk is not { } chunk)
            {
                if (held is not null && item.Error is null) { held.Add(item); continue; }
                yield return item; // an upstream error: whatever was held is dropped
                if (held is not null) yield break;
                continue;
            }
            var (flush, blocked) = GuardChunk(x, context, chunk, sessions, completed, held is not null);
            if (blocked is not null)
            {
                if (StreamRetryPending(x)) { rejected = blocked; continue; }
                yield return ChatStreamItem.Fail(blocked);
                yield break;
            }
            if (held is not null)
            {
                if (flush is not null) held.Add(ChatStreamItem.Of(flush));
                held.Add(item);
                continue;
            }
            if (flush is not null) yield return ChatStreamItem.Of(flush);
            yield return item;
        }
        if (held is null) yield break;
        // A choice the upstream never finished is still checked whole (a truncated answer fails its schema).
        foreach (var (index, session) in sessions)
        {
            if (rejected is not null || !completed.Add(index)) continue;
            var last = session.Complete();
            if (Apply(x, last, holding: true) is { } error)
            {
                if (StreamRetryPending(x)) { rejected = error; continue; }
                yield return ChatStreamItem.Fail(error);
                yield break;
            }
            x.ResponseText.Append(last.Redacted ?? last.Release);
            if (last.Release.Length > 0) held.Add(ChatStreamItem.Of(ContentChunk(FirstChunk(held), index, last.Release)));
        }
        if (rejected is not null)
        {
            await foreach (var item in RetryStreamAsync(x, next, rejected, cancellationToken)) yield return item;
            yield break;
        }
        foreach (var h in held) yield return h;
    }

    /// <summary>Guards one chunk's choices in place; returns a chunk flushing a finished choice's held-back text, or a denial.</summary>
    private (JsonObject? Flush, GatewayError? Blocked) GuardChunk(ChatExchange x, GuardContext context, JsonObject chunk,
        Dictionary<int, IStreamingGuardSession> sessions, HashSet<int> completed, bool holding)
    {
        JsonObject? flush = null;
        foreach (var choice in chunk["choices"] as JsonArray ?? [])
        {
            var index = choice?["index"]?.GetValue<int>() ?? 0;
            if (!sessions.TryGetValue(index, out var session)) sessions[index] = session = _guards!.BeginStream(context);
            var delta = choice?["delta"] as JsonObject;
            if (delta?["content"] is JsonValue cv && cv.TryGetValue<string>(out var content) && content.Length > 0)
            {
                var step = session.Push(content);
                if (Apply(x, step, holding) is { } error) return (null, error);
                x.ResponseText.Append(step.Redacted ?? step.Release);
                delta["content"] = step.Release; // the session has already restored pseudonyms for the caller
            }
            if (choice?["finish_reason"] is JsonValue && completed.Add(index))
            {
                var last = session.Complete();
                if (Apply(x, last, holding) is { } error) return (null, error);
                x.ResponseText.Append(last.Redacted ?? last.Release);
                if (last.Release.Length > 0) flush = ContentChunk(chunk, index, last.Release);
            }
        }
        return (flush, null);
    }

    private static JsonObject FirstChunk(List<ChatStreamItem> held) =>
        held.Select(h => h.Chunk).FirstOrDefault(c => c is not null) ?? new JsonObject();

    private static GatewayError? Apply(ChatExchange x, GuardStreamStep step, bool holding)
    {
        if (step.Block is { } block)
        {
            if (!StreamRetryAllowed(x, block, holding)) x.RaiseDecision("block");
            x.Reasons.AddRange(block.Reasons.Except(x.Reasons, StringComparer.Ordinal));
            return GatewayErrors.GuardBlocked(false, block.Faulted ? ["guard_fault", .. block.Reasons] : block.Reasons);
        }
        if (step.Findings.Count > 0) x.RaiseDecision("flag");
        return null;
    }

    private static JsonObject ContentChunk(JsonObject like, int index, string content) => new()
    {
        ["id"] = like["id"]?.DeepClone(), ["object"] = "chat.completion.chunk", ["created"] = like["created"]?.DeepClone(), ["model"] = like["model"]?.DeepClone(),
        ["choices"] = new JsonArray(new JsonObject { ["index"] = index, ["delta"] = new JsonObject { ["content"] = content }, ["finish_reason"] = null }),
    };

    private static GuardContext Context(ChatExchange x, GuardDirection direction) => new()
    {
        Direction = direction,
        Identity = x.Identity,
        ConversationId = x.Http.Request.Headers[ConversationHeader].FirstOrDefault() ?? x.Identity.RequestId,
        Model = x.Alias,
    };
}
