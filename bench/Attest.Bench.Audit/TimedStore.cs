using System.Diagnostics;
using Attest.Audit.Log;

/// <summary>Bench instrumentation: counts commits and the time spent inside the store's append transaction.</summary>
internal sealed class TimedStore(IAuditStore inner) : ForwardingStore(inner)
{
    private long _batches, _ticks;
    public long Batches => Interlocked.Read(ref _batches);
    public long CommitTicks => Interlocked.Read(ref _ticks);

    public override async Task AppendAsync(Func<AuditTail, AuditBatch> build, CancellationToken cancellationToken = default)
    {
        var start = Stopwatch.GetTimestamp();
        await Inner.AppendAsync(build, cancellationToken);
        Interlocked.Add(ref _ticks, Stopwatch.GetElapsedTime(start).Ticks);
        Interlocked.Increment(ref _batches);
    }
}
