using System.Security.Cryptography;
using System.Text;

namespace Attest.Retrieval;

/// <summary>
/// The retrieval master key (32 random bytes, base64 in <c>&lt;dataDir&gt;/retrieval-master.key</c>, created with
/// owner-only permissions on first use). It only wraps tenant keys (AES-256-GCM); it never touches document text.
/// </summary>
public sealed class MasterKey
{
    private const int NonceSize = 12, TagSize = 16;
    private readonly byte[] _key;

    public MasterKey(byte[] key)
    {
        if (key.Length != 32) throw new ArgumentException("the master key must be 32 bytes", nameof(key));
        _key = key;
    }

    public const string FileName = "retrieval-master.key";

    /// <summary>Reads the key file, creating it when absent. A file that is not 32 bytes of base64 is an error (never silently replaced).</summary>
    public static MasterKey LoadOrCreate(string path)
    {
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            var fresh = RandomNumberGenerator.GetBytes(32);
            try
            {
                var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
                if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
                using var f = new FileStream(path, options);
                f.Write(Encoding.ASCII.GetBytes(Convert.ToBase64String(fresh)));
                f.Flush(flushToDisk: true);
                return new MasterKey(fresh);
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another process created it first: use theirs.
            }
        }
        byte[] key;
        try { key = Convert.FromBase64String(File.ReadAllText(path).Trim()); }
        catch (FormatException) { throw new InvalidOperationException($"{path}: not a base64 retrieval master key"); }
        if (key.Length != 32) throw new InvalidOperationException($"{path}: the retrieval master key must be 32 bytes");
        return new MasterKey(key);
    }

    /// <summary>Encrypts a tenant key, bound to the tenant id (associated data) so a wrapped key cannot be moved to another tenant.</summary>
    public byte[] Wrap(string tenant, ReadOnlySpan<byte> tenantKey)
    {
        var output = new byte[NonceSize + TagSize + tenantKey.Length];
        var nonce = output.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var gcm = new AesGcm(_key, TagSize);
        gcm.Encrypt(nonce, tenantKey, output.AsSpan(NonceSize + TagSize), output.AsSpan(NonceSize, TagSize), Aad(tenant));
        return output;
    }

    public byte[] Unwrap(string tenant, ReadOnlySpan<byte> wrapped)
    {
        if (wrapped.Length < NonceSize + TagSize) throw new CryptographicException("wrapped tenant key is truncated");
        var key = new byte[wrapped.Length - NonceSize - TagSize];
        using var gcm = new AesGcm(_key, TagSize);
        gcm.Decrypt(wrapped[..NonceSize], wrapped[(NonceSize + TagSize)..], wrapped.Slice(NonceSize, TagSize), key, Aad(tenant));
        return key;
    }

    private static byte[] Aad(string tenant) => Encoding.UTF8.GetBytes("attest.retrieval.tenant-key|" + tenant);
}
