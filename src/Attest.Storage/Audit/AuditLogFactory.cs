using Attest.Audit.Log;
using Attest.Core.Config;
using Microsoft.Extensions.Logging;

namespace Attest.Storage.Audit;

/// <summary>Builds the audit log over a database from the policy (keys from the data folder or config). Used by the server and the CLI.</summary>
public static class AuditLogFactory
{
    public static AuditLog Create(PolicySnapshot policy, AttestDatabase db, TimeProvider time, ILogger<AuditLog>? logger = null)
    {
        var dataDir = StorageFactory.DataDirectory(policy);
        var audit = policy.Config.Audit;
        return new AuditLog(new SqlAuditStore(db), new AuditLogOptions
        {
            Origin = audit.Origin,
            CheckpointEvery = audit.CheckpointEvery,
            SigningKey = AuditKeyFiles.LoadSigningKey(policy, dataDir),
            MasterKey = AuditKeyFiles.LoadMasterKey(policy, dataDir),
            Time = time,
        }, logger);
    }
}
