using Attest.Core.Audit;
using Attest.Core.Config;
using Attest.Core.Guards;
using Attest.Guards.Pipeline;
using Attest.Guards.Redaction;
using Attest.Server.Hosting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Attest.Server.Guards;

/// <summary>
/// Registers Attest's guard pipeline: every built-in detector, the audit log from DI (a no-op sink when the
/// audit module is absent), and a pseudonym vault keyed by <c>&lt;dataDir&gt;/guard-vault.key</c>. The pipeline
/// reads the current policy snapshot per call and compiles guard policy once per snapshot.
/// </summary>
internal sealed class GuardsModule : IAttestModule
{
    public int Order => 110;

    public void ConfigureServices(IServiceCollection services, AttestHostContext context)
    {
        services.AddSingleton<IPseudonymStore, InMemoryPseudonymStore>();
        services.AddSingleton(sp => new PseudonymVault(
            PseudonymVault.LoadOrCreateKey(context.DataDirectory), sp.GetRequiredService<IPseudonymStore>(), context.Time));
        services.AddSingleton<IGuardPipeline>(sp => GuardPipelineBuilder.CreateDefault(sp.GetRequiredService<IPolicySource>())
            .WithAudit(sp.GetService<IAuditLog>() ?? NullAuditLog.Instance)
            .WithLogger(sp.GetRequiredService<ILoggerFactory>().CreateLogger("Attest.Guards"))
            .WithVault(sp.GetRequiredService<PseudonymVault>())
            .Build());
    }

    public void MapEndpoints(IEndpointRouteBuilder endpoints)
    {
    }
}
