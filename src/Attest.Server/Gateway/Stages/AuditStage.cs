using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;

namespace Attest.Server.Gateway.Stages;

/// <summary>
/// Outermost stage: records <c>chat.request</c> just before dispatch (so the payload is the redacted
/// prompt), then <c>chat.response</c> or <c>chat.denied</c>. An append that fails denies the request
/// with 503 <c>audit_unavailable</c> — a stream already under way ends with that error event.
/// </summary>
internal sealed partial class AuditStage(ChatAuditor auditor, TimeProvider time, ILogger<AuditStage> logger) : IChatStage
{
    public int Order => 0;

    public async ValueTask<ChatOutcome> InvokeAsync(ChatExchange x, ChatNext next, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        x.BeforeDispatch = async ct => await auditor.RequestAsync(x, ct);
        ChatOutcome outcome;
        try
        {
            outcome = await next(x, cancellationToken);
        }
        catch (AuditUnavailableException)
        {
            return ChatOutcome.Denied(GatewayErrors.AuditUnavailable());
        }
        if (outcome.Error is { } error) return await DeniedAsync(x, error, cancellationToken);
        if (outcome.Completion is { } completion)
        {
            try
            {
                await auditor.ResponseAsync(x, x.ResponseText.ToString(), time.GetElapsedTime(started).TotalMilliseconds, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Fail closed: an answer that cannot be recorded is not delivered.
                LogAuditFailed(x.Identity.RequestId, e.GetType().Name);
                return ChatOutcome.Denied(GatewayErrors.AuditUnavailable());
            }
            return ChatOutcome.Completed(completion);
        }
        return ChatOutcome.Streaming(Watch(x, outcome.Stream!, started, cancellationToken));
    }

    private async IAsyncEnumerable<ChatStreamItem> Watch(ChatExchange x, IAsyncEnumerable<ChatStreamItem> stream, long started,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var item in stream.WithCancellation(cancellationToken))
        {
            if (item.Error is { } error)
            {
                var denied = await DeniedAsync(x, error, cancellationToken);
                yield return ChatStreamItem.Fail(denied.Error!);
                yield break;
            }
            yield return item;
        }
        GatewayError? failure = null;
        try
        {
            await auditor.ResponseAsync(x, x.ResponseText.ToString(), time.GetElapsedTime(started).TotalMilliseconds, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogAuditFailed(x.Identity.RequestId, e.GetType().Name);
            failure = GatewayErrors.AuditUnavailable();
        }
        if (failure is not null) yield return ChatStreamItem.Fail(failure);
    }

    private async ValueTask<ChatOutcome> DeniedAsync(ChatExchange x, GatewayError error, CancellationToken cancellationToken)
    {
        try
        {
            await auditor.DeniedAsync(x.Identity, x, error, x.Alias, cancellationToken);
            return ChatOutcome.Denied(error);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogAuditFailed(x.Identity.RequestId, e.GetType().Name);
            return ChatOutcome.Denied(GatewayErrors.AuditUnavailable());
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Audit append failed for request {RequestId} ({ExceptionType}); request denied")]
    private partial void LogAuditFailed(string? requestId, string exceptionType);
}

/// <summary>Thrown by the dispatch step when <c>chat.request</c> could not be recorded; the audit stage turns it into 503.</summary>
internal sealed class AuditUnavailableException(Exception inner) : Exception("audit append failed", inner);
