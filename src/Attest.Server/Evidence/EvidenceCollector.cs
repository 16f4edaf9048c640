using Attest.Audit.Log;
using Attest.Core.Config;
using Attest.Evidence.Model;
using Attest.Storage;
using Attest.Storage.Audit;
using Attest.Storage.Config;
using Attest.Storage.Keys;

namespace Attest.Server.Evidence;

/// <summary>
/// Gathers the evidence engine's inputs from a deployment's database: the audit log (read and
/// verified against the trusted checkpoint keys), the key store and the config history. An input
/// that cannot be read is left out, so its control tests say "not computable" instead of passing.
/// </summary>
public static class EvidenceCollector
{
    public static async Task<EvidenceInputs> CollectAsync(PolicySnapshot policy, AttestDatabase database, DateTimeOffset from, DateTimeOffset to,
        IReadOnlyList<PostureFinding>? posture, CancellationToken cancellationToken = default)
    {
        var dataDir = StorageFactory.DataDirectory(policy);
        var store = new SqlAuditStore(database);
        var integrity = await VerifyAsync(policy, store, dataDir, cancellationToken);
        var keys = (await new KeyStore(database).ListAsync(cancellationToken: cancellationToken))
            .Select(k => new KeyFact(k.Id, k.Tenant, k.Agent, k.Scopes, k.Models, k.ExpiresAt, k.RevokedAt, k.RequestsPerMinute, k.TokensPerMinute))
            .ToList();
        var versions = (await new ConfigVersionStore(database, TimeProvider.System).ListAsync(1000, cancellationToken))
            .Select(v => new ConfigVersionFact(v.Hash, v.AppliedAt, v.Source)).ToList();
        return new EvidenceInputs
        {
            Policy = policy,
            PeriodStart = from,
            PeriodEnd = to,
            Audit = new StoreAuditReader(store),
            Integrity = integrity,
            Keys = keys,
            ConfigVersions = versions,
            Posture = posture,
            KeyFiles = [Path.Combine(dataDir, AuditKeyFiles.MasterKeyFile), Path.Combine(dataDir, AuditKeyFiles.SigningKeyFile)],
        };
    }

    private static async Task<AuditIntegrity> VerifyAsync(PolicySnapshot policy, IAuditStore store, string dataDir, CancellationToken ct)
    {
        var trusted = AuditKeyFiles.LoadTrustedKeys(policy, dataDir);
        try
        {
            var report = await AuditOperations.VerifyAsync(store, trusted, ct);
            var checkpoints = await store.ReadCheckpointsAsync(ct);
            var latest = checkpoints.Count == 0 ? null : checkpoints[^1];
            return new AuditIntegrity
            {
                Verified = report.Ok,
                Entries = report.Entries,
                Checkpoints = report.Checkpoints,
                CheckpointsContinuous = report.Ok,
                FirstBadIndex = report.FirstBadIndex,
                Problem = report.Ok ? null : $"{Attest.Audit.Verification.VerifyReport.KindName(report.Kind)}: {report.Message}",
                LatestCheckpoint = latest?.Note,
                LatestCheckpointSize = latest?.Size ?? 0,
            };
        }
        finally
        {
            foreach (var k in trusted) k.Dispose();
        }
    }
}
