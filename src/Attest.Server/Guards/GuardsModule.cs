using System.Security.Cryptography;
using System.Text;
using Attest.Core.Audit;
using Attest.Core.Config;
using Attest.Core.Guards;
using Attest.Guards.Pipeline;
using Attest.Guards.Redaction;
using Attest.Server.Hosting;
using Attest.Storage.Audit;
using Attest.Storage.Guards;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Attest.Server.Guards;

/// <summary>
/// Registers Attest's guard pipeline: every built-in detector, the audit log from DI (a no-op sink when the
/// audit module is absent), and a pseudonym vault whose mappings live in the server's database
/// (<see cref="SqlPseudonymStore"/>, purged of expired conversations every minute), so a restart or another
/// replica restores the same placeholders. The vault key is derived from <c>audit.masterKey</c> when that is
/// configured (replicas share it), else read from <c>&lt;dataDir&gt;/guard-vault.key</c> (created on first start).
/// The pipeline reads the current policy snapshot per call and compiles guard policy once per snapshot.
/// </summary>
internal sealed class GuardsModule : IAttestModule
{
    public int Order => 110;

    public void ConfigureServices(IServiceCollection services, AttestHostContext context)
    {
        services.AddSingleton<IPseudonymStore>(new SqlPseudonymStore(context.Database, context.Time));
        services.AddSingleton(sp => new PseudonymVault(VaultKey(context.Policy.Current, context.DataDirectory), sp.GetRequiredService<IPseudonymStore>(), context.Time));
        services.AddSingleton<IGuardPipeline>(sp => GuardPipelineBuilder.CreateDefault(sp.GetRequiredService<IPolicySource>())
            .WithAudit(sp.GetService<IAuditLog>() ?? NullAuditLog.Instance)
            .WithLogger(sp.GetRequiredService<ILoggerFactory>().CreateLogger("Attest.Guards"))
            .WithVault(sp.GetRequiredService<PseudonymVault>())
            .Build());
        services.AddHostedService<PseudonymPurgeService>();
    }

    public void MapEndpoints(IEndpointRouteBuilder endpoints)
    {
    }

    /// <summary>
    /// Replicas must share the vault key to restore each other's placeholders; a configured audit master key is
    /// already shared, so a purpose-bound subkey of it (HKDF) serves. Otherwise the per-installation key file.
    /// </summary>
    internal static byte[] VaultKey(PolicySnapshot policy, string dataDirectory) => policy.Config.Audit.MasterKey is not null
        ? HKDF.DeriveKey(HashAlgorithmName.SHA256, AuditKeyFiles.LoadMasterKey(policy, dataDirectory, create: false), 32, info: Encoding.UTF8.GetBytes("attest-guard-vault-key"))
        : PseudonymVault.LoadOrCreateKey(dataDirectory);
}
