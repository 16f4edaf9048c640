using System.Text.Json;
using System.Threading.Channels;
using Attest.Audit.Checkpoints;
using Attest.Audit.Crypto;
using Attest.Audit.Merkle;
using Attest.Core.Audit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Attest.Audit.Log;

/// <summary>
/// The tamper-evident audit log. Appends are queued to one writer loop that drains the queue,
/// encrypts payloads under each subject's key, and commits the whole batch in one durable
/// transaction (group commit); each caller's task completes only after that commit, and faults
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
        if (string.IsNullOrWhiteSpace(record.Type)) throw new ArgumentException("an audit record needs a type", nameof(record));
        if (string.IsNullOrWhiteSpace(record.Tenant)) throw new ArgumentException("an audit record needs a tenant", nameof(record));
        var pending = new Pending(record, _ids.Next(), _options.Time.GetUtcNow(), false);
        await EnqueueAsync(pending, cancellationToken);
        await pending.Done.Task.WaitAsync(cancellationToken);
        return pending.Id;
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

    private async Task WriteLoopAsync()
    {
        var batch = new List<Pending>(_options.MaxBatch);
        while (await _queue.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < _options.MaxBatch && _queue.Reader.TryRead(out var p)) batch.Add(p);
            if (batch.Count == 0) continue;
            try
            {
                await CommitAsync(batch);
                foreach (var p in batch) p.Done.TrySetResult();
            }
            catch (Exception e) // fail closed: every caller of the batch learns its event is not durable
            {
                LogWriteFailed(_logger, batch.Count, e.GetType().Name);
                foreach (var p in batch) p.Done.TrySetException(new AuditWriteException("the audit event could not be made durable", e));
            }
        }
    }

    private async Task CommitAsync(List<Pending> batch)
    {
        var subjects = batch.Where(p => p.Record?.Payload is not null).Select(p => SubjectOf(p.Record!)).Distinct(StringComparer.Ordinal).ToList();
        var keys = await _keyring.ResolveAsync(subjects, CancellationToken.None);
        var sealedPayloads = new Dictionary<Pending, (byte[] Bytes, PayloadReference Ref)>();
        foreach (var p in batch)
        {
            if (p.Record?.Payload is not { } payload) continue;
            var (keyId, key) = keys[SubjectOf(p.Record)];
            var bytes = PayloadCrypto.SealPayload(key, p.Id, JsonSerializer.SerializeToUtf8Bytes(payload));
            sealedPayloads[p] = (bytes, new PayloadReference(PayloadCrypto.Algorithm, keyId,
                Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)), bytes.Length));
        }
        var forceCheckpoint = batch.Any(p => p.IsCheckpoint);
        long checkpointSize = 0;
        await _store.AppendAsync(tail =>
        {
            var frontier = CompactRange.FromBytes(tail.Size, tail.Frontier);
            var chain = tail.ChainHash;
            var rows = new List<AuditRow>(batch.Count);
            foreach (var p in batch)
            {
                if (p.Record is not { } r) continue;
                sealedPayloads.TryGetValue(p, out var sealedPayload);
                var entry = ToEntry(p, r, frontier.Size, sealedPayload.Ref);
                var canonical = entry.Encode();
                var leaf = MerkleHash.Leaf(canonical);
                chain = MerkleHash.Chain(chain, leaf);
                frontier.Append(leaf);
                rows.Add(new AuditRow(entry.Sequence, entry.Id, entry.Time, entry.Type, entry.Tenant, entry.Actor, entry.Subject,
                    entry.DataClass, canonical, leaf, chain, sealedPayload.Bytes));
            }
            StoredCheckpoint? checkpoint = null;
            var lastCheckpoint = tail.LastCheckpointSize;
            if (frontier.Size > lastCheckpoint && (forceCheckpoint || frontier.Size - lastCheckpoint >= _options.CheckpointEvery))
            {
                var cp = new Checkpoint(_options.Origin, frontier.Size, frontier.Root(), _options.Time.GetUtcNow());
                checkpoint = new StoredCheckpoint(cp.Size, cp.Root, cp.Time, _options.SigningKey.KeyId, cp.Sign(_options.SigningKey));
                lastCheckpoint = cp.Size;
            }
            checkpointSize = lastCheckpoint;
            return new AuditBatch(rows, new AuditTail(frontier.Size, chain, frontier.ToBytes(), lastCheckpoint), checkpoint);
        });
        foreach (var p in batch) p.CheckpointSize = checkpointSize;
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
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Audit batch of {Count} events failed ({Error}); callers fail closed")]
    private static partial void LogWriteFailed(ILogger logger, int count, string error);

    private sealed class Pending(AuditRecord? record, string id, DateTimeOffset time, bool isCheckpoint)
    {
        public AuditRecord? Record { get; } = record;
        public string Id { get; } = id;
        public DateTimeOffset Time { get; } = time;
        public bool IsCheckpoint { get; } = isCheckpoint;
        public long CheckpointSize { get; set; }
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
