using Attest.Agents;
using Attest.Agents.Approvals;
using Attest.Agents.BreakGlass;
using Attest.Agents.Messages;
using Attest.Server.Hosting;
using Attest.Storage.Agents;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Attest.Server.Agents;

/// <summary>Agent governance on the server: the tool gate, approvals, agent messages and break-glass endpoints.</summary>
public sealed class AgentsModule : IAttestModule
{
    public int Order => 150;

    public void ConfigureServices(IServiceCollection services, AttestHostContext context)
    {
        services.AddSingleton<IApprovalStore>(new SqlApprovalStore(context.Database));
        services.AddSingleton<IBreakGlassStore>(new SqlBreakGlassStore(context.Database));
        services.AddSingleton<IAgentMessageStore>(new SqlAgentMessageStore(context.Database));
        services.AddAttestAgents();
        services.AddHostedService<AgentsSweepService>();
    }

    public void MapEndpoints(IEndpointRouteBuilder endpoints)
    {
        ToolEndpoints.Map(endpoints);
        ApprovalEndpoints.Map(endpoints);
        MessageEndpoints.Map(endpoints);
        BreakGlassEndpoints.Map(endpoints);
        McpHttpEndpoint.Map(endpoints);
    }
}
