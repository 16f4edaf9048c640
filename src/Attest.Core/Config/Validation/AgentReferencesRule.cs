namespace Attest.Core.Config;

/// <summary>An agent's tenant, model, tools and the agents it may message are all declared.</summary>
public sealed class AgentReferencesRule : IConfigValidator
{
    public void Validate(ConfigValidationContext context)
    {
        var c = context.Config;
        var tenants = c.Tenants.Select(t => t.Id).ToHashSet(StringComparer.Ordinal);
        var models = c.Models.Select(m => m.Alias).ToHashSet(StringComparer.Ordinal);
        var tools = c.Tools.Select(t => t.Id).ToHashSet(StringComparer.Ordinal);
        var agents = c.Agents.Select(a => a.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var agent in c.Agents)
        {
            if (agent.Tenant is { Length: > 0 } tenant && !tenants.Contains(tenant))
                context.Error(agent, "tenant", $"agent '{agent.Id}' belongs to unknown tenant '{tenant}'");
            if (agent.Model is { Length: > 0 } model && !models.Contains(model))
                context.Error(agent, "model", $"agent '{agent.Id}' uses unknown model alias '{model}'");
            foreach (var tool in agent.Tools)
            {
                if (string.IsNullOrWhiteSpace(tool.Tool)) context.Error(tool, null, $"agent '{agent.Id}' lists a tool with no 'tool' id");
                else if (!tools.Contains(tool.Tool)) context.Error(tool, "tool", $"agent '{agent.Id}' uses unknown tool '{tool.Tool}'");
            }
            for (int i = 0; i < agent.CanMessage.Count; i++)
            {
                if (!agents.Contains(agent.CanMessage[i]))
                    context.Error(agent, "canMessage", $"agent '{agent.Id}' may message unknown agent '{agent.CanMessage[i]}'", i);
            }
        }
    }
}
