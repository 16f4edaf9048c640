using System.Security.Cryptography;
using Attest.Core.Config;
using Attest.Storage;
using Attest.Storage.Audit;

namespace Attest.Server.Evidence;

/// <summary>
/// The ECDSA P-256 key that signs evidence packs: the audit log's checkpoint signing key
/// (<c>audit.signingKey</c>, default <c>audit-signing.pem</c> in the data folder, created on first
/// use), so one public key verifies both the log and the evidence.
/// </summary>
public static class EvidenceSigningKey
{
    public static ECDsa LoadOrCreate(PolicySnapshot policy)
    {
        using var checkpointKey = AuditKeyFiles.LoadSigningKey(policy, StorageFactory.DataDirectory(policy));
        var key = ECDsa.Create();
        key.ImportFromPem(checkpointKey.ExportPrivateKeyPem());
        return key;
    }
}
