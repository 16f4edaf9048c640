using System.Security.Cryptography;
using Attest.Core.Config;
using Attest.Storage;

namespace Attest.Server.Evidence;

/// <summary>
/// The ECDSA P-256 key that signs evidence packs: the audit log's signing key (<c>audit.signingKey</c>,
/// default <c>audit-signing.pem</c> in the data folder), so one public key verifies both.
/// </summary>
public static class EvidenceSigningKey
{
    public static string DefaultPath(PolicySnapshot policy) => Path.Combine(StorageFactory.DataDirectory(policy), "audit-signing.pem");

    /// <summary>Loads the key; creates it (PKCS#8 PEM, mode 0600) when the default file does not exist yet.</summary>
    public static ECDsa LoadOrCreate(PolicySnapshot policy)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        if (policy.ResolveSecret(policy.Config.Audit.SigningKey) is { Length: > 0 } pem)
        {
            key.ImportFromPem(pem);
            return key;
        }
        var path = DefaultPath(policy);
        if (File.Exists(path))
        {
            key.ImportFromPem(File.ReadAllText(path));
            return key;
        }
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, key.ExportPkcs8PrivateKeyPem());
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return key;
    }
}
