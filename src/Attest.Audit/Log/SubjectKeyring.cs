using System.Security.Cryptography;
using Attest.Audit.Crypto;

namespace Attest.Audit.Log;

/// <summary>
/// Per-data-subject AES keys, wrapped by the master key and stored through <see cref="IAuditStore"/>.
/// Keys are not cached across batches, so a subject forgotten by another process or replica is
/// honoured on the next batch. Thread-safe.
/// </summary>
public sealed class SubjectKeyring(IAuditStore store, byte[] masterKey, TimeProvider time)
{
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

    private byte[] Unwrap(SubjectKeyRecord record) =>
        PayloadCrypto.UnwrapKey(masterKey, record.KeyId, record.Subject, record.Wrapped ?? throw new CryptographicException($"subject key {record.KeyId} was forgotten"));
}
