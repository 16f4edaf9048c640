using System.Diagnostics;
using Attest.Audit.Log;
using Attest.Core.Audit;

/// <summary>Bench instrumentation: counts commits and the time spent inside the store's append transaction.</summary>
internal sealed class TimedStore(IAuditStore inner) : IAuditStore
{
    private long _batches, _ticks;
    public long Batches => Interlocked.Read(ref _batches);
    public long CommitTicks => Interlocked.Read(ref _ticks);

    public async Task AppendAsync(Func<AuditTail, AuditBatch> build, CancellationToken cancellationToken = default)
    {
        var start = Stopwatch.GetTimestamp();
        await inner.AppendAsync(build, cancellationToken);
        Interlocked.Add(ref _ticks, Stopwatch.GetElapsedTime(start).Ticks);
        Interlocked.Increment(ref _batches);
    }

    public Task<AuditTail> ReadTailAsync(CancellationToken cancellationToken = default) => inner.ReadTailAsync(cancellationToken);
    public IAsyncEnumerable<AuditRow> ReadRowsAsync(long fromSequence, long toSequence, CancellationToken cancellationToken = default) => inner.ReadRowsAsync(fromSequence, toSequence, cancellationToken);
    public IAsyncEnumerable<byte[]> ReadLeafHashesAsync(long fromSequence, CancellationToken cancellationToken = default) => inner.ReadLeafHashesAsync(fromSequence, cancellationToken);
    public Task<IReadOnlyList<StoredCheckpoint>> ReadCheckpointsAsync(CancellationToken cancellationToken = default) => inner.ReadCheckpointsAsync(cancellationToken);
    public IAsyncEnumerable<AuditRow> QueryAsync(AuditQuery query, CancellationToken cancellationToken = default) => inner.QueryAsync(query, cancellationToken);
    public Task<IReadOnlyDictionary<string, SubjectKeyRecord>> ActiveSubjectKeysAsync(IReadOnlyCollection<string> subjects, CancellationToken cancellationToken = default) => inner.ActiveSubjectKeysAsync(subjects, cancellationToken);
    public Task<SubjectKeyRecord> AddSubjectKeyAsync(SubjectKeyRecord candidate, CancellationToken cancellationToken = default) => inner.AddSubjectKeyAsync(candidate, cancellationToken);
    public Task<SubjectKeyRecord?> SubjectKeyAsync(string keyId, CancellationToken cancellationToken = default) => inner.SubjectKeyAsync(keyId, cancellationToken);
    public Task<int> ForgetSubjectAsync(string subject, DateTimeOffset at, CancellationToken cancellationToken = default) => inner.ForgetSubjectAsync(subject, at, cancellationToken);
    public Task<long> PurgePayloadsAsync(string dataClass, DateTimeOffset before, CancellationToken cancellationToken = default) => inner.PurgePayloadsAsync(dataClass, before, cancellationToken);
}
