using Attest.Agents.Approvals;
using Attest.Agents.BreakGlass;
using Attest.Agents.Execution;
using Attest.Agents.Gate;
using Attest.Agents.Mcp;
using Attest.Core.Agents;
using Attest.Core.Audit;
using Attest.Core.Config;
using Attest.Core.Guards;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Attest.Agents;

/// <summary>Registers the agent runtime. Stores (<see cref="IApprovalStore"/>, <see cref="IBreakGlassStore"/>) come from storage.</summary>
public static class AgentsServiceCollectionExtensions
{
    public static IServiceCollection AddAttestAgents(this IServiceCollection services)
    {
        services.AddHttpClient(HttpToolExecutor.ClientName, c => c.Timeout = TimeSpan.FromSeconds(60));
        services.AddHttpClient(WebhookAlertSink.ClientName);
        services.TryAddSingleton<HttpToolExecutor>();
        services.TryAddSingleton(sp => new McpUpstreamPool(sp.GetRequiredService<ILoggerFactory>(), sp.GetService<IHttpClientFactory>()));
        services.TryAddSingleton<ToolInvoker>();
        services.TryAddSingleton<IBreakGlassAlertSink, WebhookAlertSink>();
        services.TryAddSingleton(sp => new BreakGlassService(sp.GetRequiredService<IBreakGlassStore>(), sp.GetRequiredService<IPolicySource>(),
            Audit(sp), sp.GetRequiredService<TimeProvider>(), sp.GetService<IBreakGlassAlertSink>()));
        services.TryAddSingleton(sp => new ApprovalService(sp.GetRequiredService<IApprovalStore>(), sp.GetRequiredService<IPolicySource>(),
            Audit(sp), sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => new ToolGate(sp.GetRequiredService<IPolicySource>(), sp.GetRequiredService<IApprovalStore>(),
            sp.GetRequiredService<ApprovalService>(), sp.GetRequiredService<BreakGlassService>(), sp.GetRequiredService<ToolInvoker>(), Audit(sp), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<ToolGate>>(), sp.GetService<IGuardPipeline>()));
        services.TryAddSingleton<McpGateServer>();
        services.TryAddSingleton<IToolCallPolicy, ToolCallPolicy>();
        return services;
    }

    /// <summary>The registered audit log; without one (a host with no audit module) events go nowhere, which the host warns about.</summary>
    private static IAuditLog Audit(IServiceProvider sp) => sp.GetService<IAuditLog>() ?? NullAuditLog.Instance;
}
