using System.Security.Cryptography;
using System.Text;

namespace Attest.Audit.Crypto;

/// <summary>
/// AES-256-GCM for audit payloads and for wrapping per-subject keys under the master key. Sealed
/// bytes are <c>nonce[12] || ciphertext || tag[16]</c>. Payloads are bound to their event id and
/// wrapped keys to their key id and subject through the associated data. Stateless and thread-safe.
/// </summary>
public static class PayloadCrypto
{
    public const string Algorithm = "A256GCM";
    public const int KeySize = 32;
    private const int NonceSize = 12;
    private const int TagSize = 16;

    public static byte[] NewKey() => RandomNumberGenerator.GetBytes(KeySize);

    public static byte[] SealPayload(ReadOnlySpan<byte> subjectKey, string eventId, ReadOnlySpan<byte> plaintext) =>
        Seal(subjectKey, Encoding.UTF8.GetBytes("attest-payload\n" + eventId), plaintext);

    /// <summary>
    /// Seals a payload with an <see cref="AesGcm"/> already keyed with the subject key (created by
    /// <see cref="NewCipher"/>): the same bytes as <see cref="SealPayload(ReadOnlySpan{byte}, string, ReadOnlySpan{byte})"/>
    /// without a key schedule per payload. The cipher must not be used by two threads at once.
    /// </summary>
    public static byte[] SealPayload(AesGcm cipher, string eventId, ReadOnlySpan<byte> plaintext)
    {
        ReadOnlySpan<byte> prefix = "attest-payload\n"u8;
        var aadLength = prefix.Length + Encoding.UTF8.GetByteCount(eventId);
        var rented = aadLength > 256 ? System.Buffers.ArrayPool<byte>.Shared.Rent(aadLength) : null;
        Span<byte> aad = rented ?? stackalloc byte[256];
        prefix.CopyTo(aad);
        Encoding.UTF8.GetBytes(eventId, aad[prefix.Length..]);
        try
        {
            return Seal(cipher, aad[..aadLength], plaintext);
        }
        finally
        {
            if (rented is not null) System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>An AES-256-GCM cipher keyed with <paramref name="key"/> for <see cref="SealPayload(AesGcm, string, ReadOnlySpan{byte})"/>; the caller disposes it.</summary>
    public static AesGcm NewCipher(ReadOnlySpan<byte> key) =>
        key.Length == KeySize ? new AesGcm(key, TagSize) : throw new CryptographicException("AES-256-GCM needs a 32-byte key");

    /// <summary>Decrypts a payload; throws <see cref="CryptographicException"/> when the key or bytes are wrong.</summary>
    public static byte[] OpenPayload(ReadOnlySpan<byte> subjectKey, string eventId, ReadOnlySpan<byte> sealedBytes) =>
        Open(subjectKey, Encoding.UTF8.GetBytes("attest-payload\n" + eventId), sealedBytes);

    public static byte[] WrapKey(ReadOnlySpan<byte> masterKey, string keyId, string subject, ReadOnlySpan<byte> subjectKey) =>
        Seal(masterKey, Encoding.UTF8.GetBytes($"attest-subject-key\n{keyId}\n{subject}"), subjectKey);

    public static byte[] UnwrapKey(ReadOnlySpan<byte> masterKey, string keyId, string subject, ReadOnlySpan<byte> wrapped) =>
        Open(masterKey, Encoding.UTF8.GetBytes($"attest-subject-key\n{keyId}\n{subject}"), wrapped);

    private static byte[] Seal(ReadOnlySpan<byte> key, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> plaintext)
    {
        using var gcm = NewCipher(key);
        return Seal(gcm, aad, plaintext);
    }

    private static byte[] Seal(AesGcm cipher, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> plaintext)
    {
        var output = new byte[NonceSize + plaintext.Length + TagSize];
        var nonce = output.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        cipher.Encrypt(nonce, plaintext, output.AsSpan(NonceSize, plaintext.Length), output.AsSpan(NonceSize + plaintext.Length), aad);
        return output;
    }

    private static byte[] Open(ReadOnlySpan<byte> key, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> sealedBytes)
    {
        if (key.Length != KeySize) throw new CryptographicException("AES-256-GCM needs a 32-byte key");
        if (sealedBytes.Length < NonceSize + TagSize) throw new CryptographicException("sealed payload is too short");
        var length = sealedBytes.Length - NonceSize - TagSize;
        var plaintext = new byte[length];
        using var gcm = new AesGcm(key, TagSize);
        gcm.Decrypt(sealedBytes[..NonceSize], sealedBytes.Slice(NonceSize, length), sealedBytes[(NonceSize + length)..], plaintext, aad);
        return plaintext;
    }
}
