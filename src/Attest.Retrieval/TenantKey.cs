using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace Attest.Retrieval;

/// <summary>
/// One tenant's keys, derived with HKDF-SHA256 from its 32-byte root key: an AES-256-GCM key for document text,
/// titles and vectors, and an HMAC-SHA256 key for index terms and content fingerprints. Thread-safe.
/// </summary>
public sealed class TenantKey
{
    private const int NonceSize = 12, TagSize = 16;
    private const int MaxCachedTerms = 200_000;
    private readonly byte[] _encKey;
    private readonly byte[] _macKey;
    private readonly ConcurrentDictionary<string, ulong> _termCache = new(StringComparer.Ordinal);

    public TenantKey(string tenant, byte[] rootKey)
    {
        Tenant = tenant;
        _encKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, rootKey, 32, info: Encoding.UTF8.GetBytes("attest.retrieval.enc|" + tenant));
        _macKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, rootKey, 32, info: Encoding.UTF8.GetBytes("attest.retrieval.mac|" + tenant));
    }

    public string Tenant { get; }

    /// <summary>First 64 bits of HMAC-SHA256(term): what the index stores and looks up instead of the term.</summary>
    public ulong TermHash(string term)
    {
        if (_termCache.TryGetValue(term, out var h)) return h;
        Span<byte> input = stackalloc byte[Encoding.UTF8.GetMaxByteCount(term.Length)];
        int n = Encoding.UTF8.GetBytes(term, input);
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(_macKey, input[..n], mac);
        h = BinaryPrimitives.ReadUInt64LittleEndian(mac);
        if (_termCache.Count < MaxCachedTerms) _termCache.TryAdd(term, h);
        return h;
    }

    /// <summary>Keyed fingerprint (hex) of a document's content, for idempotent ingestion without storing a plain hash.</summary>
    public string ContentMac(string title, string text, string source)
    {
        var data = Encoding.UTF8.GetBytes($"{title.Length}:{title}|{source.Length}:{source}|{text}");
        return Convert.ToHexStringLower(HMACSHA256.HashData(_macKey, data));
    }

    /// <summary>AES-256-GCM with a random nonce; <paramref name="context"/> is bound as associated data (the row's place).</summary>
    public byte[] Encrypt(ReadOnlySpan<byte> plaintext, string context)
    {
        var output = new byte[NonceSize + TagSize + plaintext.Length];
        var nonce = output.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var gcm = new AesGcm(_encKey, TagSize);
        gcm.Encrypt(nonce, plaintext, output.AsSpan(NonceSize + TagSize), output.AsSpan(NonceSize, TagSize), Encoding.UTF8.GetBytes(context));
        return output;
    }

    public byte[] Decrypt(ReadOnlySpan<byte> ciphertext, string context)
    {
        if (ciphertext.Length < NonceSize + TagSize) throw new CryptographicException("ciphertext is truncated");
        var plain = new byte[ciphertext.Length - NonceSize - TagSize];
        using var gcm = new AesGcm(_encKey, TagSize);
        gcm.Decrypt(ciphertext[..NonceSize], ciphertext[(NonceSize + TagSize)..], ciphertext.Slice(NonceSize, TagSize), plain, Encoding.UTF8.GetBytes(context));
        return plain;
    }

    public byte[] EncryptString(string text, string context) => Encrypt(Encoding.UTF8.GetBytes(text), context);
    public string DecryptString(ReadOnlySpan<byte> ciphertext, string context) => Encoding.UTF8.GetString(Decrypt(ciphertext, context));

    public static string ChunkContext(string tenant, string connector, string documentId, int ordinal) =>
        $"chunk|{tenant.Length}:{tenant}|{connector.Length}:{connector}|{documentId.Length}:{documentId}|{ordinal}";
    public static string VectorContext(string tenant, string connector, string documentId, int ordinal) =>
        "vector|" + ChunkContext(tenant, connector, documentId, ordinal);
    public static string MetaContext(string tenant, string connector, string documentId) =>
        $"meta|{tenant.Length}:{tenant}|{connector.Length}:{connector}|{documentId.Length}:{documentId}";
}
