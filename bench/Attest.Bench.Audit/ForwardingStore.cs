using Attest.Audit.Log;
using Attest.Core.Audit;

/// <summary>Bench instrumentation base: forwards every store call to the wrapped store; subclasses override <see cref="AppendAsync"/>.</summary>
internal abstract class ForwardingStore(IAuditStore inner) : IAuditStore
{
    protected IAuditStore Inner { get; } = inner;

    public virtual Task AppendAsync(Func<AuditTail, AuditBatch> build, CancellationToken cancellationToken = default) => Inner.AppendAsync(build, cancellationToken);
    public Task<AuditTail> ReadTailAsync(CancellationToken cancellationToken = default) => Inner.ReadTailAsync(cancellationToken);
    public IAsyncEnumerable<AuditRow> ReadRowsAsync(long fromSequence, long toSequence, CancellationToken cancellationToken = default) => Inner.ReadRowsAsync(fromSequence, toSequence, cancellationToken);
    public IAsyncEnumerable<byte[]> ReadLeafHashesAsync(long fromSequence, CancellationToken cancellationToken = default) => Inner.ReadLeafHashesAsync(fromSequence, cancellationToken);
    public Task<IReadOnlyList<StoredCheckpoint>> ReadCheckpointsAsync(CancellationToken cancellationToken = default) => Inner.ReadCheckpointsAsync(cancellationToken);
    public IAsyncEnumerable<AuditRow> QueryAsync(AuditQuery query, CancellationToken cancellationToken = default) => Inner.QueryAsync(query, cancellationToken);
    public Task<IReadOnlyDictionary<string, SubjectKeyRecord>> ActiveSubjectKeysAsync(IReadOnlyCollection<string> subjects, CancellationToken cancellationToken = default) => Inner.ActiveSubjectKeysAsync(subjects, cancellationToken);
    public Task<SubjectKeyRecord> AddSubjectKeyAsync(SubjectKeyRecord candidate, CancellationToken cancellationToken = default) => Inner.AddSubjectKeyAsync(candidate, cancellationToken);
    public Task<SubjectKeyRecord?> SubjectKeyAsync(string keyId, CancellationToken cancellationToken = default) => Inner.SubjectKeyAsync(keyId, cancellationToken);
    public Task<int> ForgetSubjectAsync(string subject, DateTimeOffset at, CancellationToken cancellationToken = default) => Inner.ForgetSubjectAsync(subject, at, cancellationToken);
    public Task<long> PurgePayloadsAsync(string dataClass, DateTimeOffset before, CancellationToken cancellationToken = default) => Inner.PurgePayloadsAsync(dataClass, before, cancellationToken);
}
