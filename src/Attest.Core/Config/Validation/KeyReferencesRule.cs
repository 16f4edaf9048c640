namespace Attest.Core.Config;

/// <summary>A key names a declared tenant, and any agent, principal and model aliases it lists are declared.</summary>
public sealed class KeyReferencesRule : IConfigValidator
{
    public void Validate(ConfigValidationContext context)
    {
        var c = context.Config;
        var tenants = c.Tenants.Select(t => t.Id).ToHashSet(StringComparer.Ordinal);
        var agents = c.Agents.Select(a => a.Id).ToHashSet(StringComparer.Ordinal);
        var principals = c.Principals.Select(p => p.Id).ToHashSet(StringComparer.Ordinal);
        var models = c.Models.Select(m => m.Alias).ToHashSet(StringComparer.Ordinal);
        foreach (var key in c.Keys)
        {
            if (string.IsNullOrWhiteSpace(key.Tenant)) context.Error(key, null, $"key '{key.Id}' has no tenant");
            else if (!tenants.Contains(key.Tenant)) context.Error(key, "tenant", $"key '{key.Id}' belongs to unknown tenant '{key.Tenant}'");
            if (key.Agent is { Length: > 0 } agent && !agents.Contains(agent))
                context.Error(key, "agent", $"key '{key.Id}' is bound to unknown agent '{agent}'");
            if (key.Principal is { Length: > 0 } principal && !principals.Contains(principal))
                context.Error(key, "principal", $"key '{key.Id}' is bound to unknown principal '{principal}'");
            for (int i = 0; i < key.Models.Count; i++)
            {
                if (!models.Contains(key.Models[i]))
                    context.Error(key, "models", $"key '{key.Id}' allows unknown model alias '{key.Models[i]}'", i);
            }
        }
    }
}
