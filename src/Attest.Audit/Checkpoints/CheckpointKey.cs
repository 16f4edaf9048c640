using System.Security.Cryptography;
using System.Text;

namespace Attest.Audit.Checkpoints;

/// <summary>
/// An ECDSA P-256 checkpoint key in signed-note terms: a key name plus a 4-byte key hash,
/// SHA-256(name || 0x0A || 0x02 || SubjectPublicKeyInfo DER)[0..4]. <see cref="KeyId"/> is
/// <c>name+hex(hash)</c>. A key holding only the public half verifies; with the private half it
/// also signs. Thread-safe for signing and verifying.
/// </summary>
public sealed class CheckpointKey : IDisposable
{
    /// <summary>Signature type byte Attest uses for ECDSA P-256 / SHA-256 in key hashes.</summary>
    public const byte SignatureType = 0x02;
    private readonly ECDsa _ecdsa;

    private CheckpointKey(string name, ECDsa ecdsa, bool hasPrivateKey)
    {
        if (name.Length == 0 || name.Any(c => char.IsWhiteSpace(c) || c == '+'))
            throw new ArgumentException("a key name must be non-empty, without spaces or '+'", nameof(name));
        Name = name;
        _ecdsa = ecdsa;
        HasPrivateKey = hasPrivateKey;
        PublicKeyDer = ecdsa.ExportSubjectPublicKeyInfo();
        var material = new byte[Encoding.UTF8.GetByteCount(name) + 2 + PublicKeyDer.Length];
        var n = Encoding.UTF8.GetBytes(name, material);
        material[n] = 0x0A;
        material[n + 1] = SignatureType;
        PublicKeyDer.CopyTo(material, n + 2);
        KeyHash = SHA256.HashData(material).AsSpan(0, 4).ToArray();
    }

    public string Name { get; }
    public byte[] KeyHash { get; }
    public byte[] PublicKeyDer { get; }
    public bool HasPrivateKey { get; }
    public string KeyId => $"{Name}+{Convert.ToHexStringLower(KeyHash)}";

    public static CheckpointKey Generate(string name) => new(name, ECDsa.Create(ECCurve.NamedCurves.nistP256), true);

    /// <summary>Loads a PEM: a private key (PKCS#8 or SEC1) signs and verifies; a public key only verifies.</summary>
    public static CheckpointKey FromPem(string name, string pem)
    {
        var ecdsa = ECDsa.Create();
        try
        {
            ecdsa.ImportFromPem(pem);
            if (ecdsa.KeySize != 256) throw new CryptographicException("checkpoint keys must be ECDSA P-256");
            var hasPrivate = pem.Contains("PRIVATE KEY", StringComparison.Ordinal);
            return new CheckpointKey(name, ecdsa, hasPrivate);
        }
        catch
        {
            ecdsa.Dispose();
            throw;
        }
    }

    public string ExportPrivateKeyPem() => HasPrivateKey ? _ecdsa.ExportPkcs8PrivateKeyPem() : throw new InvalidOperationException("this key holds only the public half");

    public string ExportPublicKeyPem() => _ecdsa.ExportSubjectPublicKeyInfoPem();

    public byte[] Sign(ReadOnlySpan<byte> message) => _ecdsa.SignData(message, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);

    public bool Verify(ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        try { return _ecdsa.VerifyData(message, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence); }
        catch (CryptographicException) { return false; }
    }

    public void Dispose() => _ecdsa.Dispose();
}
