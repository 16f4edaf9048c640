using Attest.Core.Config;
using Attest.Evidence.Model;
using Attest.Storage;

namespace Attest.Server.Evidence;

/// <summary>Gathers the evidence engine's inputs from the running deployment: config, audit log, key store, config history.</summary>
public static class EvidenceCollector
{
    public static Task<EvidenceInputs> CollectAsync(PolicySnapshot policy, AttestDatabase? database, DateTimeOffset from, DateTimeOffset to,
        IReadOnlyList<PostureFinding>? posture, CancellationToken cancellationToken = default)
    {
        var dataDir = StorageFactory.DataDirectory(policy);
        return Task.FromResult(new EvidenceInputs
        {
            Policy = policy,
            PeriodStart = from,
            PeriodEnd = to,
            Posture = posture,
            KeyFiles = [Path.Combine(dataDir, "master.key"), EvidenceSigningKey.DefaultPath(policy)],
        });
    }
}
