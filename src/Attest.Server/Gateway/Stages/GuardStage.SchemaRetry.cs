using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Attest.Core.Guards;
using Attest.Guards.Pipeline;
using Microsoft.Extensions.DependencyInjection;

namespace Attest.Server.Gateway.Stages;

/// <summary>
/// The one configured retry of structured output (<c>onSchemaFailure: retry</c>): when a buffered answer is blocked
/// only because it failed its output schema, the rejected attempt is recorded (<c>chat.denied</c>, attribute
/// <c>schema_attempt=1</c>), a short corrective user note naming the schema error is appended, and the request is
/// dispatched once more (its <c>chat.request</c> and outcome carry <c>schema_attempt=2</c>). A second failure is
/// blocked (<c>guard_blocked</c>). A stream under a schema is held until it ends, so nothing has gone out when it
/// fails: it is retried the same way, the second attempt streamed (held and checked) in its place. Usage of both
/// attempts is counted.
/// </summary>
internal sealed partial class GuardStage
{
    private const string SchemaRetryAttribute = "schema_attempt";

    /// <summary>True, marking the exchange, when a buffered answer's block is only a schema failure with a retry still allowed.</summary>
    private static bool SchemaRetryAllowed(ChatExchange x, GuardVerdict verdict, GuardContext context)
    {
        if (context.Direction != GuardDirection.Output || x.Stream || !verdict.SchemaRetryRequested() || x.Attributes.ContainsKey(SchemaRetryAttribute)) return false;
        x.Attributes[SchemaRetryAttribute] = "1";
        return true;
    }

    /// <summary>Restores pseudonyms in a buffered answer for the caller; a pseudonym store fault blocks (fail closed) instead of escaping.</summary>
    private GatewayError? RestoreFault(ChatExchange x, JsonObject message)
    {
        try
        {
            message["content"] = _guards!.Restore(message["content"]!.GetValue<string>(), Context(x, GuardDirection.Output));
            return null;
        }
        catch (Exception e) when (e is not OutOfMemoryException and not OperationCanceledException)
        {
            x.RaiseDecision("block");
            x.Reasons.Add("guard.fault.restore");
            return GatewayErrors.GuardBlocked(false, ["guard_fault", "guard.fault.restore"]);
        }
    }

    /// <summary>True, marking the exchange, when a held stream's block is only a schema failure with a retry still allowed.</summary>
    private static bool StreamRetryAllowed(ChatExchange x, GuardVerdict verdict, bool holding)
    {
        if (!holding || !verdict.SchemaRetryRequested() || x.Attributes.ContainsKey(SchemaRetryAttribute)) return false;
        x.Attributes[SchemaRetryAttribute] = "1";
        return true;
    }

    /// <summary>True when the block just applied to a held stream was marked for the one retry.</summary>
    private static bool StreamRetryPending(ChatExchange x) =>
        x.Attributes.TryGetValue(SchemaRetryAttribute, out var attempt) && attempt == "1";

    private async ValueTask<ChatOutcome> RetrySchemaAsync(ChatExchange x, ChatNext next, GatewayError rejected, CancellationToken cancellationToken)
    {
        if (await PrepareRetryAsync(x, rejected, cancellationToken) is { } unavailable) return ChatOutcome.Denied(unavailable);
        var (prompt, completion) = (x.PromptTokens, x.CompletionTokens);
        (x.PromptTokens, x.CompletionTokens) = (0, 0);
        var outcome = await next(x, cancellationToken);
        x.PromptTokens += prompt;
        x.CompletionTokens += completion;
        if (outcome.Completion is not { } answer) return outcome;
        return await GuardCompletionAsync(x, answer, cancellationToken) is { } blocked ? ChatOutcome.Denied(blocked) : outcome;
    }

    /// <summary>The retry of a held stream: the second attempt is guarded (and held) like the first; its items replace the rejected ones.</summary>
    private async IAsyncEnumerable<ChatStreamItem> RetryStreamAsync(ChatExchange x, ChatNext next, GatewayError rejected,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (await PrepareRetryAsync(x, rejected, cancellationToken) is { } unavailable) { yield return ChatStreamItem.Fail(unavailable); yield break; }
        var (prompt, completion) = (x.PromptTokens, x.CompletionTokens);
        (x.PromptTokens, x.CompletionTokens) = (0, 0);
        var counted = false;
        void CountFirst()
        {
            if (counted) return;
            counted = true;
            x.PromptTokens += prompt;
            x.CompletionTokens += completion;
        }
        var outcome = await next(x, cancellationToken);
        if (outcome.Stream is { } stream)
        {
            await foreach (var item in GuardStream(x, next, stream, cancellationToken))
            {
                if (item.Error is not null) CountFirst(); // the consumer records the denial as soon as it sees the error
                yield return item;
            }
        }
        CountFirst();
        if (outcome.Error is { } error) yield return ChatStreamItem.Fail(error);
    }

    /// <summary>Records the rejected attempt and appends the corrective note; returns a denial when the record cannot be written.</summary>
    private async ValueTask<GatewayError?> PrepareRetryAsync(ChatExchange x, GatewayError rejected, CancellationToken cancellationToken)
    {
        try
        {
            // The first attempt's chat.request (held back for coalescing) goes first, then its denial.
            await ChatPipeline.RequestDurableAsync(x);
            await services.GetRequiredService<ChatAuditor>().DeniedAsync(x.Identity, x, rejected, x.Alias, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return GatewayErrors.AuditUnavailable(); // no evidence of the first attempt: do not ask again
        }
        var schemaError = x.Reasons.FirstOrDefault(r => r.StartsWith("schema.", StringComparison.Ordinal) && r != GuardVerdicts.SchemaRetryReason) ?? "schema";
        var note = new JsonObject
        {
            ["role"] = "user",
            ["content"] = $"Your previous answer was rejected because it does not satisfy the required JSON schema ({schemaError}). " +
                "Reply again with only JSON that satisfies the schema.",
        };
        x.Body["messages"]!.AsArray().Add(note);
        x.InjectedMessages.Add(note);
        x.Attributes[SchemaRetryAttribute] = "2";
        x.ResponseText.Clear();
        return null;
    }
}
