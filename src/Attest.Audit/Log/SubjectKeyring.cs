using System.Security.Cryptography;
using Attest.Audit.Crypto;

namespace Attest.Audit.Log;

/// <summary>
/// Per-data-subject AES keys, wrapped by the master key and stored through <see cref="IAuditStore"/>.
/// Which key is live is looked up for every batch (not cached), so a subject forgotten by another
/// process or replica is honoured on the next batch; only the unwrapping of a key id's wrapped
/// bytes (immutable until forgotten, and a forgotten key is never returned as live) is cached.
/// Thread-safe.
/// </summary>
public sealed class SubjectKeyring(IAuditStore store, byte[] masterKey, TimeProvider time)
{
    private const int CacheLimit = 100_000;
    private int _generation;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (string Subject, byte[] Key)> _unwrapped = new(StringComparer.Ordinal);

    /// <summary>The live key of each subject, creating one where missing.</summary>
    public async Task<IReadOnlyDictionary<string, (string KeyId, byte[] Key)>> ResolveAsync(IReadOnlyCollection<string> subjects, CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, (string, byte[])>(StringComparer.Ordinal);
        if (subjects.Count == 0) return result;
        var active = await store.ActiveSubjectKeysAsync(subjects, cancellationToken);
        foreach (var subject in subjects)
        {
            if (!active.TryGetValue(subject, out var record))
            {
                var keyId = "sk_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
                var key = PayloadCrypto.NewKey();
                record = await store.AddSubjectKeyAsync(
                    new SubjectKeyRecord(keyId, subject, PayloadCrypto.WrapKey(masterKey, keyId, subject, key), time.GetUtcNow(), null), cancellationToken);
            }
            result[subject] = (record.KeyId, Unwrap(record));
        }
        return result;
    }

    /// <summary>The data key for <paramref name="keyId"/>, or null when it was forgotten (crypto-shredded) or never existed.</summary>
    public async Task<byte[]?> FindAsync(string keyId, CancellationToken cancellationToken)
    {
        var record = await store.SubjectKeyAsync(keyId, cancellationToken);
        return record?.Wrapped is null ? null : Unwrap(record);
    }

    /// <summary>Changes whenever <see cref="Evict"/> runs, so holders of derived key state (the writer's ciphers) drop it too.</summary>
    public int Generation => Volatile.Read(ref _generation);

    /// <summary>Drops this process's unwrapped copies of a subject's keys (after it was forgotten).</summary>
    public void Evict(string subject)
    {
        Interlocked.Increment(ref _generation);
        foreach (var (keyId, entry) in _unwrapped)
            if (entry.Subject == subject) _unwrapped.TryRemove(keyId, out _);
    }

    private byte[] Unwrap(SubjectKeyRecord record)
    {
        if (record.Wrapped is not null && _unwrapped.TryGetValue(record.KeyId, out var cached)) return cached.Key;
        var key = UnwrapUncached(record);
        if (_unwrapped.Count >= CacheLimit) _unwrapped.Clear();
        _unwrapped[record.KeyId] = (record.Subject, key);
        return key;
    }

    private byte[] UnwrapUncached(SubjectKeyRecord record) =>
        PayloadCrypto.UnwrapKey(masterKey, record.KeyId, record.Subject, record.Wrapped ?? throw new CryptographicException($"subject key {record.KeyId} was forgotten"));
}
