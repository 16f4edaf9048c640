using Attest.Core.Audit;

namespace Attest.Server.Gateway;

/// <summary>
/// A non-streaming exchange's <c>chat.request</c> record, built at dispatch (the redacted prompt as sent) but
/// held back for the coalescing window (<c>audit.coalesceMs</c>). If the provider answers within the window,
/// the audit stage <see cref="TryTake">takes</see> it and commits it with <c>chat.response</c> (or
/// <c>chat.denied</c>) in one durable commit. Otherwise the window's timer, or anyone who needs it durable
/// first, <see cref="Flush">flushes</see> it: it is appended on its own, as without coalescing. Exactly one of
/// the two happens. <see cref="Durable"/> completes when the record is durable, by either route, and faults when
/// it cannot be. Thread-safe.
/// </summary>
internal sealed class DeferredRequest : IDisposable
{
    private const int Held = 0, Flushed = 1, Taken = 2;
    private readonly ChatAuditor _auditor;
    private readonly CancellationToken _cancellationToken;
    private readonly TaskCompletionSource _durable = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ITimer _timer;
    private int _state;

    public DeferredRequest(ChatAuditor auditor, AuditRecord record, TimeSpan window, TimeProvider time, CancellationToken cancellationToken)
    {
        _auditor = auditor;
        Record = record;
        _cancellationToken = cancellationToken;
        _timer = time.CreateTimer(static s => ((DeferredRequest)s!).Flush(), this, window, Timeout.InfiniteTimeSpan);
    }

    public AuditRecord Record { get; }

    /// <summary>Completes once <c>chat.request</c> is durable; faults when its append failed.</summary>
    public Task Durable => _durable.Task;

    /// <summary>True when the record was still held: the caller now owns its append (and must call <see cref="Completed"/>).</summary>
    public bool TryTake()
    {
        if (Interlocked.CompareExchange(ref _state, Taken, Held) != Held) return false;
        _timer.Dispose();
        return true;
    }

    /// <summary>For the caller that took the record: reports how its combined append ended.</summary>
    public void Completed(Exception? failure)
    {
        if (failure is null) _durable.TrySetResult();
        else _durable.TrySetException(failure);
    }

    /// <summary>Appends the record on its own now, unless it was already flushed or taken.</summary>
    public void Flush()
    {
        if (Interlocked.CompareExchange(ref _state, Flushed, Held) != Held) return;
        _timer.Dispose();
        _ = AppendAloneAsync();
    }

    private async Task AppendAloneAsync()
    {
        try
        {
            await _auditor.AppendAsync(Record, _cancellationToken);
            _durable.TrySetResult();
        }
        catch (OperationCanceledException e)
        {
            _durable.TrySetCanceled(e.CancellationToken);
        }
        catch (Exception e)
        {
            _durable.TrySetException(e);
        }
    }

    public void Dispose() => _timer.Dispose();
}
