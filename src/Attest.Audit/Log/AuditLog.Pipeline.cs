using System.Diagnostics;
using System.Text.Json;
using Attest.Audit.Checkpoints;
using Attest.Audit.Crypto;
using Attest.Audit.Merkle;
using Attest.Core.Audit;

namespace Attest.Audit.Log;

// The writer pipeline. One loop gathers a batch and prepares it (subject keys, AES-GCM sealing,
// canonical encoding and leaf hashes, computed for the sequence numbers the batch is predicted to
// get) while the previous batch commits; then it hands the batch to the committer. The commit
// takes the store's write lock, reads the real tail and, only when the prediction was wrong
// (another process appended, or the previous commit failed), re-encodes the entries with the real
// sequence numbers. Chain hash, Merkle frontier and checkpoint are always computed from the real
// tail inside the transaction, so the order and the hashes are exactly those of a serial writer.
public sealed partial class AuditLog
{
    private const int CipherCacheLimit = 4096;
    private long _nextSequence = -1;
    // AES-GCM ciphers by subject key id, used only by the writer loop (PrepareAsync); dropped when
    // the keyring evicts a forgotten subject, and when the cache is full.
    private readonly Dictionary<string, System.Security.Cryptography.AesGcm> _ciphers = new(StringComparer.Ordinal);
    private int _cipherGeneration;
    private int _lastBatchSize = 1;

    private async Task WriteLoopAsync()
    {
        var reader = _queue.Reader;
        Task? inFlight = null;
        Batch? committing = null;
        while (await reader.WaitToReadAsync())
        {
            var batch = new Batch(inFlight is { IsCompleted: false } && committing is not null ? committing.PredictedEnd : Volatile.Read(ref _nextSequence));
            Drain(reader, batch);
            await PrepareAsync(batch);
            // Keep the batch open while the previous one commits, and briefly (BatchDelay) while it is
            // smaller than the last one, so that concurrent callers share one durable commit.
            var target = Math.Min(_options.MaxBatch, _lastBatchSize);
            var started = Stopwatch.GetTimestamp();
            Task<bool>? more = null;
            while (batch.Items.Count < _options.MaxBatch)
            {
                var committingNow = inFlight is { IsCompleted: false };
                var remaining = _options.BatchDelay - Stopwatch.GetElapsedTime(started);
                if (!committingNow && (batch.Items.Count >= target || remaining <= TimeSpan.Zero)) break;
                more ??= reader.WaitToReadAsync().AsTask();
                if (await Task.WhenAny(more, committingNow ? inFlight! : Task.Delay(remaining)) != more) continue;
                var open = await more;
                more = null;
                if (!open) break;
                Drain(reader, batch);
                await PrepareAsync(batch);
            }
            if (inFlight is not null) await inFlight;
            _lastBatchSize = Math.Max(1, batch.Items.Count);
            if (batch.Queued == 1 && !reader.TryPeek(out _))
            {
                // A lone event or group with nothing else queued (one caller at a time, as a gateway at low load):
                // commit it on this loop instead of handing it to another thread — one thread wake-up less
                // on its latency. Whatever arrives meanwhile waits in the queue and forms the next batch.
                (inFlight, committing) = (null, null);
                await CommitAndCompleteAsync(batch);
                continue;
            }
            committing = batch;
            inFlight = Task.Run(() => CommitAndCompleteAsync(batch));
        }
        if (inFlight is not null) await inFlight;
        DisposeCiphers();
    }

    private void Drain(System.Threading.Channels.ChannelReader<Pending> reader, Batch batch)
    {
        // A group (AppendManyAsync) is queued as its first item and always joins one batch whole.
        while (batch.Items.Count < _options.MaxBatch && reader.TryRead(out var p))
        {
            batch.Queued++;
            for (var member = p; member is not null; member = member.Next) batch.Items.Add(member);
        }
    }

    private async Task PrepareAsync(Batch batch)
    {
        if (batch.Error is not null) return;
        try
        {
            HashSet<string>? fresh = null;
            for (var i = batch.Prepared; i < batch.Items.Count; i++)
                if (batch.Items[i].Record is { Payload: not null } r && !batch.Keys.ContainsKey(SubjectOf(r))) (fresh ??= new(StringComparer.Ordinal)).Add(SubjectOf(r));
            if (fresh is not null)
                foreach (var (subject, key) in await _keyring.ResolveAsync(fresh, CancellationToken.None)) batch.Keys[subject] = key;
            for (; batch.Prepared < batch.Items.Count; batch.Prepared++)
            {
                var p = batch.Items[batch.Prepared];
                if (p.Record is not { } r) { batch.ForceCheckpoint = true; continue; }
                if (r.Payload is { } payload)
                {
                    var (keyId, key) = batch.Keys[SubjectOf(r)];
                    p.Sealed = PayloadCrypto.SealPayload(Cipher(keyId, key), p.Id, JsonSerializer.SerializeToUtf8Bytes(payload));
                    p.PayloadRef = new PayloadReference(PayloadCrypto.Algorithm, keyId,
                        PayloadDigest(p.Sealed), p.Sealed.Length);
                }
                p.Entry = ToEntry(p, r, batch.Start < 0 ? 0 : batch.Start + batch.Rows, p.PayloadRef);
                if (batch.Start >= 0)
                {
                    p.Canonical = p.Entry.Encode();
                    p.Leaf = MerkleHash.Leaf(p.Canonical);
                }
                batch.Rows++;
            }
        }
        catch (Exception e) { batch.Error = e; }
    }

    private static string PayloadDigest(byte[] sealedBytes)
    {
        Span<byte> digest = stackalloc byte[MerkleHash.Size];
        Sha256Fast.Hash(sealedBytes, digest);
        return Convert.ToHexStringLower(digest);
    }

    private System.Security.Cryptography.AesGcm Cipher(string keyId, byte[] key)
    {
        if (_cipherGeneration != _keyring.Generation || _ciphers.Count >= CipherCacheLimit)
        {
            _cipherGeneration = _keyring.Generation;
            DisposeCiphers();
        }
        if (!_ciphers.TryGetValue(keyId, out var cipher)) _ciphers[keyId] = cipher = PayloadCrypto.NewCipher(key);
        return cipher;
    }

    private void DisposeCiphers()
    {
        foreach (var c in _ciphers.Values) c.Dispose();
        _ciphers.Clear();
    }

    private async Task CommitAndCompleteAsync(Batch batch)
    {
        Exception? error = null;
        try
        {
            if (batch.Error is { } prepareError) throw new AuditWriteException("the audit batch could not be prepared", prepareError);
            var checkpointSize = await CommitAsync(batch);
            foreach (var p in batch.Items) p.CheckpointSize = checkpointSize;
        }
        catch (Exception e) // fail closed: every caller of the batch learns its event is not durable
        {
            Volatile.Write(ref _nextSequence, -1);
            LogWriteFailed(_logger, batch.Items.Count, e.GetType().Name);
            error = e;
        }
        Release(batch.Items, error);
    }

    // Callers resume in at most one group per processor: each group is one thread-pool work item
    // that completes its callers one after another (their continuations run inline there, up to
    // their next await), instead of one work item and one thread wake-up per caller. The committer
    // itself never runs caller code, so a slow caller cannot hold up the next commit.
    private static void Release(List<Pending> items, Exception? error)
    {
        var groups = Math.Clamp(items.Count / 8, 1, Environment.ProcessorCount);
        var size = (items.Count + groups - 1) / groups;
        for (var start = 0; start < items.Count; start += size)
            ThreadPool.UnsafeQueueUserWorkItem(static g =>
            {
                for (var i = g.Start; i < g.End; i++)
                {
                    if (g.Error is null) g.Items[i].Done.TrySetResult();
                    else g.Items[i].Done.TrySetException(new AuditWriteException("the audit event could not be made durable", g.Error));
                }
            }, new ReleaseGroup(items, start, Math.Min(items.Count, start + size), error), preferLocal: false);
    }

    private sealed record ReleaseGroup(List<Pending> Items, int Start, int End, Exception? Error);

    private async Task<long> CommitAsync(Batch batch)
    {
        long checkpointSize = 0, newSize = 0;
        await _store.AppendAsync(tail =>
        {
            var frontier = CompactRange.FromBytes(tail.Size, tail.Frontier);
            var chain = tail.ChainHash;
            var predicted = tail.Size == batch.Start;
            var rows = new List<AuditRow>(batch.Rows);
            foreach (var p in batch.Items)
            {
                if (p.Entry is not { } entry) continue;
                byte[] canonical = p.Canonical!, leaf = p.Leaf!;
                if (!predicted)
                {
                    entry = entry with { Sequence = frontier.Size };
                    canonical = entry.Encode();
                    leaf = MerkleHash.Leaf(canonical);
                }
                chain = MerkleHash.Chain(chain, leaf);
                frontier.Append(leaf);
                rows.Add(new AuditRow(entry.Sequence, entry.Id, entry.Time, entry.Type, entry.Tenant, entry.Actor, entry.Subject,
                    entry.DataClass, canonical, leaf, chain, p.Sealed));
            }
            StoredCheckpoint? checkpoint = null;
            var lastCheckpoint = tail.LastCheckpointSize;
            if (frontier.Size > lastCheckpoint && (batch.ForceCheckpoint || frontier.Size - lastCheckpoint >= _options.CheckpointEvery))
            {
                var cp = new Checkpoint(_options.Origin, frontier.Size, frontier.Root(), _options.Time.GetUtcNow());
                checkpoint = new StoredCheckpoint(cp.Size, cp.Root, cp.Time, _options.SigningKey.KeyId, cp.Sign(_options.SigningKey));
                lastCheckpoint = cp.Size;
            }
            checkpointSize = lastCheckpoint;
            newSize = frontier.Size;
            return new AuditBatch(rows, new AuditTail(frontier.Size, chain, frontier.ToBytes(), lastCheckpoint), checkpoint);
        });
        Volatile.Write(ref _nextSequence, newSize);
        return checkpointSize;
    }

    private sealed class Batch(long start)
    {
        public List<Pending> Items { get; } = [];
        /// <summary>Queue entries drained into this batch (an <see cref="AppendManyAsync"/> group counts once).</summary>
        public int Queued { get; set; }
        /// <summary>Predicted sequence of the batch's first entry; -1 when unknown (entries are then encoded in the commit).</summary>
        public long Start { get; } = start;
        public int Prepared { get; set; }
        public int Rows { get; set; }
        public bool ForceCheckpoint { get; set; }
        public Exception? Error { get; set; }
        public Dictionary<string, (string KeyId, byte[] Key)> Keys { get; } = new(StringComparer.Ordinal);
        public long PredictedEnd => Start < 0 ? -1 : Start + Rows;
    }

    private sealed class Pending(AuditRecord? record, string id, DateTimeOffset time, bool isCheckpoint)
    {
        public AuditRecord? Record { get; } = record;
        public string Id { get; } = id;
        public DateTimeOffset Time { get; } = time;
        public bool IsCheckpoint { get; } = isCheckpoint;
        /// <summary>The next record of the same <see cref="AppendManyAsync"/> group, committed in the same batch.</summary>
        public Pending? Next { get; set; }
        public long CheckpointSize { get; set; }
        public byte[]? Sealed { get; set; }
        public PayloadReference? PayloadRef { get; set; }
        public AuditEntry? Entry { get; set; }
        public byte[]? Canonical { get; set; }
        public byte[]? Leaf { get; set; }
        /// <summary>Completed by <see cref="Release"/> on a pool thread, so continuations may run inline there.</summary>
        public TaskCompletionSource Done { get; } = new();
    }
}
