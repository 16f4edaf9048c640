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
/// blocked (<c>guard_blocked</c>). Streams are never retried: their bytes have already gone out, so a schema
/// failure ends the stream with the guard error event. Usage of both attempts is counted.
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
            _ = e;
            x.RaiseDecision("block");
            x.Reasons.Add("guard.fault.restore");
            return GatewayErrors.GuardBlocked(false, ["guard_fault", "guard.fault.restore"]);
        }
    }

    private async ValueTask<ChatOutcome> RetrySchemaAsync(ChatExchange x, ChatNext next, GatewayError rejected, CancellationToken cancellationToken)
    {
        try
        {
            await services.GetRequiredService<ChatAuditor>().DeniedAsync(x.Identity, x, rejected, x.Alias, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return ChatOutcome.Denied(GatewayErrors.AuditUnavailable()); // no evidence of the first attempt: do not ask again
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
        var (prompt, completion) = (x.PromptTokens, x.CompletionTokens);
        (x.PromptTokens, x.CompletionTokens) = (0, 0);
        var outcome = await next(x, cancellationToken);
        x.PromptTokens += prompt;
        x.CompletionTokens += completion;
        if (outcome.Completion is not { } answer) return outcome;
        return await GuardCompletionAsync(x, answer, cancellationToken) is { } blocked ? ChatOutcome.Denied(blocked) : outcome;
    }
}
