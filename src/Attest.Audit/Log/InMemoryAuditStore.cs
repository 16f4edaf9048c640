using System.Runtime.CompilerServices;
using Attest.Core.Audit;

namespace Attest.Audit.Log;

/// <summary>
/// An <see cref="IAuditStore"/> in memory, for tests, benchmarks and tools that verify exports. Not
/// durable. Thread-safe (one lock). <see cref="Rows"/> is exposed so tests can tamper with it.
/// </summary>
public sealed class InMemoryAuditStore : IAuditStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, SubjectKeyRecord> _keys = new(StringComparer.Ordinal);
    private AuditTail _tail = AuditTail.Empty;

    public List<AuditRow> Rows { get; } = [];
    public List<StoredCheckpoint> Checkpoints { get; } = [];
    /// <summary>When set, the next append throws it (to test fail-closed behaviour).</summary>
    public Exception? FailNextAppend { get; set; }
    /// <summary>Appends committed so far (one per group commit).</summary>
    public int Commits { get; private set; }

    public Task AppendAsync(Func<AuditTail, AuditBatch> build, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            if (FailNextAppend is { } e)
            {
                FailNextAppend = null;
                throw e;
            }
            var batch = build(_tail);
            Rows.AddRange(batch.Rows);
            if (batch.Checkpoint is { } cp) Checkpoints.Add(cp);
            _tail = batch.Tail;
            Commits++;
        }
        return Task.CompletedTask;
    }

    public Task<AuditTail> ReadTailAsync(CancellationToken cancellationToken = default)
    {
        lock (_lock) return Task.FromResult(_tail);
    }

    public async IAsyncEnumerable<AuditRow> ReadRowsAsync(long fromSequence, long toSequence, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        List<AuditRow> snapshot;
        lock (_lock) snapshot = [.. Rows.Where(r => r.Sequence >= fromSequence && r.Sequence < toSequence).OrderBy(r => r.Sequence)];
        foreach (var r in snapshot) yield return r;
        await Task.CompletedTask;
    }

    public async IAsyncEnumerable<byte[]> ReadLeafHashesAsync(long fromSequence, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var r in ReadRowsAsync(fromSequence, long.MaxValue, cancellationToken)) yield return r.LeafHash;
    }

    public Task<IReadOnlyList<StoredCheckpoint>> ReadCheckpointsAsync(CancellationToken cancellationToken = default)
    {
        lock (_lock) return Task.FromResult<IReadOnlyList<StoredCheckpoint>>([.. Checkpoints.OrderBy(c => c.Size)]);
    }

    public async IAsyncEnumerable<AuditRow> QueryAsync(AuditQuery query, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var n = 0;
        await foreach (var r in ReadRowsAsync(query.AfterSequence + 1 ?? 0, long.MaxValue, cancellationToken))
        {
            if (!AuditQueries.Matches(query, r)) continue;
            if (query.Limit is { } limit && n++ >= limit) yield break;
            yield return r;
        }
    }

    public Task<IReadOnlyDictionary<string, SubjectKeyRecord>> ActiveSubjectKeysAsync(IReadOnlyCollection<string> subjects, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            IReadOnlyDictionary<string, SubjectKeyRecord> d = _keys.Values
                .Where(k => k.Wrapped is not null && subjects.Contains(k.Subject))
                .ToDictionary(k => k.Subject, StringComparer.Ordinal);
            return Task.FromResult(d);
        }
    }

    public Task<SubjectKeyRecord> AddSubjectKeyAsync(SubjectKeyRecord candidate, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            var live = _keys.Values.FirstOrDefault(k => k.Subject == candidate.Subject && k.Wrapped is not null);
            if (live is not null) return Task.FromResult(live);
            _keys[candidate.KeyId] = candidate;
            return Task.FromResult(candidate);
        }
    }

    public Task<SubjectKeyRecord?> SubjectKeyAsync(string keyId, CancellationToken cancellationToken = default)
    {
        lock (_lock) return Task.FromResult(_keys.GetValueOrDefault(keyId));
    }

    public Task<int> ForgetSubjectAsync(string subject, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            var live = _keys.Values.Where(k => k.Subject == subject && k.Wrapped is not null).ToList();
            foreach (var k in live) _keys[k.KeyId] = k with { Wrapped = null, Forgotten = at };
            return Task.FromResult(live.Count);
        }
    }

    public Task<long> PurgePayloadsAsync(string dataClass, DateTimeOffset before, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            long n = 0;
            for (var i = 0; i < Rows.Count; i++)
            {
                var r = Rows[i];
                if (r.DataClass != dataClass || r.Time >= before || r.Payload is null) continue;
                Rows[i] = r with { Payload = null };
                n++;
            }
            return Task.FromResult(n);
        }
    }
}

/// <summary>The query semantics every store implements, in one place.</summary>
public static class AuditQueries
{
    public static bool Matches(AuditQuery q, AuditRow r) =>
        (q.Tenant is null || r.Tenant == q.Tenant)
        && (q.Type is null || (q.Type.EndsWith('.') ? r.Type.StartsWith(q.Type, StringComparison.Ordinal) : r.Type == q.Type))
        && (q.Actor is null || q.Actor == r.Actor.KeyId || q.Actor == r.Actor.Principal || q.Actor == r.Actor.Agent || q.Actor == r.Actor.EndUser || q.Actor == r.Actor.Admin)
        && (q.From is null || r.Time >= q.From)
        && (q.To is null || r.Time < q.To)
        && (q.AfterSequence is null || r.Sequence > q.AfterSequence);
}
