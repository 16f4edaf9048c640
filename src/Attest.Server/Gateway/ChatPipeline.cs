using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Attest.Server.Gateway.Stages;
using Attest.Server.Providers;

namespace Attest.Server.Gateway;

/// <summary>
/// Runs the configurable <see cref="IChatStage"/>s in order (audit outermost) around the fixed last
/// step, which records the request and dispatches it through <see cref="ModelDispatcher"/>. Thread-safe singleton.
/// </summary>
public sealed class ChatPipeline
{
    private readonly ChatNext _entry;
    private readonly ModelDispatcher _dispatcher;

    public ChatPipeline(IEnumerable<IChatStage> stages, ModelDispatcher dispatcher)
    {
        _dispatcher = dispatcher;
        ChatNext next = DispatchAsync;
        foreach (var stage in stages.OrderByDescending(s => s.Order))
        {
            var inner = next;
            next = (x, ct) => stage.InvokeAsync(x, inner, ct);
        }
        _entry = next;
    }

    public ValueTask<ChatOutcome> RunAsync(ChatExchange exchange, CancellationToken cancellationToken) => _entry(exchange, cancellationToken);

    private async ValueTask<ChatOutcome> DispatchAsync(ChatExchange x, CancellationToken cancellationToken)
    {
        // chat.request is queued for the audit log before anything is sent upstream, so it is ordered before
        // chat.response, and its commit overlaps the upstream call; nothing reaches the client until it is durable.
        if (x.BeforeDispatch is { } record)
        {
            try { x.RequestRecorded = record(cancellationToken); }
            catch (Exception e) when (e is not OperationCanceledException) { throw new AuditUnavailableException(e); }
            // A log that has already refused the event (e.g. shut down) stops the request before anything is sent.
            if (x.RequestRecorded.IsFaulted || x.RequestRecorded.IsCanceled) await RequestDurableAsync(x);
        }
        if (!x.Stream)
        {
            var (done, error) = await _dispatcher.ChatAsync(x.Policy, x.Model!, x.Body, cancellationToken);
            if (error is not null)
            {
                await RequestDurableAsync(x);
                return ChatOutcome.Denied(error);
            }
            Answered(x, done!.Provider, done.Model, done.Attempts);
            Usage(x, done.Value["usage"]);
            if (!x.GuardsCollectResponse)
                foreach (var choice in done.Value["choices"] as JsonArray ?? [])
                    x.ResponseText.Append(Providers.ChatText.Of(choice?["message"]?["content"]));
            // The audit stage waits for chat.request together with chat.response before the answer is released.
            return ChatOutcome.Completed(done.Value);
        }
        var (opened, failure) = await _dispatcher.StreamAsync(x.Policy, x.Model!, x.Body, cancellationToken);
        if (failure is not null)
        {
            await RequestDurableAsync(x);
            return ChatOutcome.Denied(failure);
        }
        try
        {
            // The first byte of a stream goes out only once chat.request is durable.
            await RequestDurableAsync(x);
        }
        catch
        {
            await opened!.Value.DisposeAsync();
            throw;
        }
        Answered(x, opened!.Provider, opened.Model, opened.Attempts);
        return ChatOutcome.Streaming(Relay(x, opened.Value, cancellationToken));
    }

    /// <summary>Waits for the <c>chat.request</c> append started at dispatch; a failure becomes <see cref="AuditUnavailableException"/>.</summary>
    internal static async ValueTask RequestDurableAsync(ChatExchange x)
    {
        if (x.RequestRecorded is not { } recorded) return;
        // A chat.request held back for coalescing is needed durable now: append it on its own.
        x.Deferred?.Flush();
        try { await recorded; }
        catch (Exception e) when (e is not OperationCanceledException) { throw new AuditUnavailableException(e); }
    }

    private static async IAsyncEnumerable<ChatStreamItem> Relay(ChatExchange x, UpstreamStream upstream, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using (upstream)
        {
            await foreach (var (chunk, error) in upstream.ReadAsync(cancellationToken))
            {
                if (error is not null) { yield return ChatStreamItem.Fail(GatewayErrors.UpstreamUnavailable(error)); yield break; }
                if (chunk!["usage"] is JsonObject usage)
                {
                    Usage(x, usage);
                    if (!x.ClientWantsUsage && chunk["choices"] is JsonArray { Count: 0 }) continue;
                }
                if (!x.ClientWantsUsage) chunk.Remove("usage");
                if (!x.GuardsCollectResponse)
                    foreach (var choice in chunk["choices"] as JsonArray ?? [])
                        if (choice?["delta"]?["content"] is JsonValue v && v.TryGetValue<string>(out var s)) x.ResponseText.Append(s);
                yield return ChatStreamItem.Of(chunk);
            }
        }
    }

    private static void Answered(ChatExchange x, string provider, string model, int attempts)
    {
        x.Provider = provider;
        x.ModelVersion = model;
        x.Attempts = attempts;
    }

    private static void Usage(ChatExchange x, JsonNode? usage)
    {
        if (usage is not JsonObject u) return;
        x.PromptTokens = u["prompt_tokens"]?.GetValue<int>() ?? x.PromptTokens;
        x.CompletionTokens = u["completion_tokens"]?.GetValue<int>() ?? x.CompletionTokens;
    }
}
