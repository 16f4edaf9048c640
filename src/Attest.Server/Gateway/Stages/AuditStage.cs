using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;

namespace Attest.Server.Gateway.Stages;

/// <summary>
/// Outermost stage: has dispatch queue <c>chat.request</c> just before it sends upstream (so the payload is the
/// redacted prompt) without waiting, then records <c>chat.response</c> or <c>chat.denied</c>. Nothing reaches the
/// client before <c>chat.request</c> is durable, and a buffered answer not before <c>chat.response</c> is durable too:
/// the two commits overlap the upstream call and each other. A non-streaming exchange holds <c>chat.request</c> back
/// for up to <c>audit.coalesceMs</c> (<see cref="DeferredRequest"/>): an answer within that window is recorded with
/// it in one durable commit; otherwise <c>chat.request</c> is committed alone when the window ends. An append that fails denies the request with 503
/// <c>audit_unavailable</c> (recorded as <c>chat.denied</c> when the log still takes it) — a stream already under way
/// ends with that error event.
/// </summary>
internal sealed partial class AuditStage(ChatAuditor auditor, TimeProvider time, ILogger<AuditStage> logger) : IChatStage
{
    public int Order => 0;

    public async ValueTask<ChatOutcome> InvokeAsync(ChatExchange x, ChatNext next, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var window = auditor.Enabled && !x.Stream ? x.Policy.Config.Audit.CoalesceMs : 0;
        x.BeforeDispatch = window > 0 ? ct => Defer(x, window, ct) : ct => auditor.RequestAsync(x, ct).AsTask();
        ChatOutcome outcome;
        try
        {
            outcome = await next(x, cancellationToken);
        }
        catch (AuditUnavailableException e)
        {
            return await AuditFailedAsync(x, e.InnerException ?? e, cancellationToken);
        }
        if (outcome.Error is { } error)
        {
            if (await RequestFailureAsync(x) is { } failed) return await AuditFailedAsync(x, failed, cancellationToken);
            return await DeniedAsync(x, error, cancellationToken);
        }
        if (outcome.Completion is { } completion)
        {
            if (x.Deferred is { } deferred && deferred.TryTake())
            {
                // The answer came within the coalescing window: chat.request and chat.response share one durable commit.
                Exception? together = null;
                try
                {
                    await auditor.AppendTogetherAsync(deferred.Record,
                        auditor.ResponseRecord(x, x.ResponseText.ToString(), time.GetElapsedTime(started).TotalMilliseconds), cancellationToken);
                }
                catch (Exception e)
                {
                    together = e;
                }
                deferred.Completed(together);
                if (together is OperationCanceledException) throw together;
                return together is null ? ChatOutcome.Completed(completion) : await AuditFailedAsync(x, together, cancellationToken);
            }
            // Queue chat.response at once (same batch as chat.request when that has not committed yet), then wait for both.
            Exception? failure = null;
            Task? response = null;
            try
            {
                // A chat.request already known to have failed means the answer is withheld: do not record it as a response.
                if (x.RequestRecorded is not { IsFaulted: true })
                    response = auditor.ResponseAsync(x, x.ResponseText.ToString(), time.GetElapsedTime(started).TotalMilliseconds, cancellationToken).AsTask();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                failure = e;
            }
            failure = await RequestFailureAsync(x) ?? failure;
            if (response is not null)
            {
                try { await response; }
                catch (Exception e) when (e is not OperationCanceledException) { failure ??= e; }
            }
            // Fail closed: an answer that cannot be recorded is not delivered.
            return failure is null ? ChatOutcome.Completed(completion) : await AuditFailedAsync(x, failure, cancellationToken);
        }
        return ChatOutcome.Streaming(Watch(x, outcome.Stream!, started, cancellationToken));
    }

    /// <summary>Dispatch hook with coalescing: builds <c>chat.request</c> now and holds it back for up to the window.</summary>
    private Task Defer(ChatExchange x, int windowMs, CancellationToken cancellationToken)
    {
        // The window is real elapsed time (System), not the policy clock: it bounds how long the record waits.
        var deferred = new DeferredRequest(auditor, auditor.RequestRecord(x), TimeSpan.FromMilliseconds(windowMs), TimeProvider.System, cancellationToken);
        x.Deferred = deferred;
        return deferred.Durable;
    }

    /// <summary>Waits for the <c>chat.request</c> append dispatch started (if it did); returns its failure, if any.</summary>
    private static async ValueTask<Exception?> RequestFailureAsync(ChatExchange x)
    {
        try
        {
            await ChatPipeline.RequestDurableAsync(x);
            return null;
        }
        catch (AuditUnavailableException e)
        {
            return e.InnerException ?? e;
        }
    }

    /// <summary>An audit append failed: the client gets 503 <c>audit_unavailable</c>; the denial is recorded if the log still takes it.</summary>
    private async ValueTask<ChatOutcome> AuditFailedAsync(ChatExchange x, Exception failure, CancellationToken cancellationToken)
    {
        LogAuditFailed(x.Identity.RequestId, failure.GetType().Name);
        var unavailable = GatewayErrors.AuditUnavailable();
        // The answer is withheld: the refusal must not carry the disclosure headers the response record set.
        if (!x.Http.Response.HasStarted)
            foreach (var header in (string[])[ResponseWriter.GeneratedHeader, ResponseWriter.ModelHeader, ResponseWriter.ProviderHeader])
                x.Http.Response.Headers.Remove(header);
        try
        {
            await auditor.DeniedAsync(x.Identity, x, unavailable, x.Alias, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The log is down: the refusal itself cannot be recorded; the client is refused all the same.
        }
        return ChatOutcome.Denied(unavailable);
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
        Exception? failure = null;
        try
        {
            await auditor.ResponseAsync(x, x.ResponseText.ToString(), time.GetElapsedTime(started).TotalMilliseconds, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            failure = e;
        }
        if (failure is not null) yield return ChatStreamItem.Fail((await AuditFailedAsync(x, failure, cancellationToken)).Error!);
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
