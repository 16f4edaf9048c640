using System.Threading.Channels;
using Attest.Audit.Checkpoints;
using Attest.Audit.Crypto;
using Attest.Core.Audit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Attest.Audit.Log;

/// <summary>
/// The tamper-evident audit log. Appends are queued to one writer loop that drains the queue,
/// encrypts payloads under each subject's key, and commits the whole batch in one durable
/// transaction (group commit); while one batch commits, the next one gathers and is prepared
/// (payload encryption, canonical encoding, leaf hashes — see AuditLog.Pipeline.cs); each
/// caller's task completes only after that commit, and faults
/// with <see cref="AuditWriteException"/> when it fails, so callers fail closed. Checkpoints are
/// signed in the same transaction every <see cref="AuditLogOptions.CheckpointEvery"/> entries or
/// on <see cref="CheckpointAsync"/>. Thread-safe.
/// </summary>
public sealed partial class AuditLog : IAuditLog, IAsyncDisposable
{
    private readonly IAuditStore _store;
    private readonly AuditLogOptions _options;
    private readonly SubjectKeyring _keyring;
    private readonly EventIdGenerator _ids;
    private readonly Channel<Pending> _queue;
    private readonly Task _writer;
    private readonly ILogger _logger;

    public AuditLog(IAuditStore store, AuditLogOptions options, ILogger<AuditLog>? logger = null)
    {
        if (options.MasterKey.Length != PayloadCrypto.KeySize) throw new ArgumentException("the master key must be 32 bytes", nameof(options));
        if (!options.SigningKey.HasPrivateKey) throw new ArgumentException("the signing key needs its private half", nameof(options));
        _store = store;
        _options = options with { CheckpointEvery = Math.Max(1, options.CheckpointEvery), MaxBatch = Math.Max(1, options.MaxBatch) };
        _keyring = new SubjectKeyring(store, options.MasterKey, options.Time);
        _ids = new EventIdGenerator(options.Time);
        _logger = logger ?? NullLogger<AuditLog>.Instance;
        _queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(Math.Max(1, options.QueueCapacity)) { SingleReader = true });
        _writer = Task.Run(WriteLoopAsync);
    }

    public IAuditStore Store => _store;
    public SubjectKeyring Keyring => _keyring;
    public CheckpointKey SigningKey => _options.SigningKey;
    public string Origin => _options.Origin;

    public async ValueTask<string> AppendAsync(AuditRecord record, CancellationToken cancellationToken = default)
    {
        Validate(record);
        var pending = new Pending(record, _ids.Next(), _options.Time.GetUtcNow(), false);
        await EnqueueAsync(pending, cancellationToken);
        await pending.Done.Task.WaitAsync(cancellationToken);
        return pending.Id;
    }

    /// <summary>
    /// Appends the records in order in ONE durable commit (they enter the queue as one group that no
    /// batch splits): all are stored, consecutively, or none is; the ids are returned once durable.
    /// </summary>
    public async ValueTask<IReadOnlyList<string>> AppendManyAsync(IReadOnlyList<AuditRecord> records, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (records.Count == 0) return [];
        if (records.Count == 1) return [await AppendAsync(records[0], cancellationToken)];
        foreach (var r in records) Validate(r);
        var group = new Pending[records.Count];
        for (var i = 0; i < group.Length; i++)
        {
            group[i] = new Pending(records[i], _ids.Next(), _options.Time.GetUtcNow(), false);
            if (i > 0) group[i - 1].Next = group[i];
        }
        await EnqueueAsync(group[0], cancellationToken);
        var ids = new string[group.Length];
        for (var i = 0; i < group.Length; i++)
        {
            await group[i].Done.Task.WaitAsync(cancellationToken);
            ids[i] = group[i].Id;
        }
        return ids;
    }

    private static void Validate(AuditRecord record)
    {
        if (string.IsNullOrWhiteSpace(record.Type)) throw new ArgumentException("an audit record needs a type", nameof(record));
        if (string.IsNullOrWhiteSpace(record.Tenant)) throw new ArgumentException("an audit record needs a tenant", nameof(record));
    }

    /// <summary>Signs a checkpoint of the current tree when entries were added since the last one; returns the newest checkpoint size.</summary>
    public async Task<long> CheckpointAsync(CancellationToken cancellationToken = default)
    {
        var pending = new Pending(null, "", _options.Time.GetUtcNow(), true);
        await EnqueueAsync(pending, cancellationToken);
        await pending.Done.Task.WaitAsync(cancellationToken);
        return pending.CheckpointSize;
    }

    private async ValueTask EnqueueAsync(Pending pending, CancellationToken cancellationToken)
    {
        try { await _queue.Writer.WriteAsync(pending, cancellationToken); }
        catch (ChannelClosedException e) { throw new AuditWriteException("the audit log is shut down", e); }
    }

    private static AuditEntry ToEntry(Pending p, AuditRecord r, long sequence, PayloadReference? payload) => new()
    {
        Id = p.Id, Sequence = sequence, Time = p.Time, Type = r.Type, Tenant = r.Tenant, Actor = r.Actor,
        Subject = r.Payload is null ? r.Subject : SubjectOf(r), DataClass = r.DataClass, Model = r.Model, Decision = r.Decision,
        Reasons = r.Reasons, InputTokens = r.InputTokens, OutputTokens = r.OutputTokens,
        LatencyMicros = r.LatencyMs is { } ms ? (long)Math.Round(ms * 1000) : null,
        Digests = r.Digests, Attributes = r.Attributes, Payload = payload,
    };

    /// <summary>The data subject whose key encrypts a record's payload: its subject, else the tenant.</summary>
    public static string SubjectOf(AuditRecord record) => record.Subject is { Length: > 0 } s ? s : $"{record.Tenant}/tenant";

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _writer;
        // A store that holds connections of its own (the SQLite appender) releases them; it reopens them if used again.
        if (_store is IAsyncDisposable store) await store.DisposeAsync();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Audit batch of {Count} events failed ({Error}); callers fail closed")]
    private static partial void LogWriteFailed(ILogger logger, int count, string error);
}
