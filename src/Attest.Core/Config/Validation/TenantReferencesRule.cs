namespace Attest.Core.Config;

/// <summary>Principals, groups, connectors and guard policies name only declared tenants (and guard policies only declared agents).</summary>
public sealed class TenantReferencesRule : IConfigValidator
{
    public void Validate(ConfigValidationContext context)
    {
        var c = context.Config;
        var tenants = c.Tenants.Select(t => t.Id).ToHashSet(StringComparer.Ordinal);
        var agents = c.Agents.Select(a => a.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var p in c.Principals)
        {
            if (p.Tenant is { Length: > 0 } t && !tenants.Contains(t))
                context.Error(p, "tenant", $"principal '{p.Id}' belongs to unknown tenant '{t}'");
        }
        foreach (var g in c.Groups)
        {
            if (g.Tenant is { Length: > 0 } t && !tenants.Contains(t))
                context.Error(g, "tenant", $"group '{g.Id}' belongs to unknown tenant '{t}'");
        }
        foreach (var connector in c.Connectors)
            Each(context, connector, "tenants", connector.Tenants, tenants, $"connector '{connector.Id}' allows unknown tenant");
        foreach (var guard in c.Guards)
        {
            Each(context, guard, "tenants", guard.Tenants, tenants, $"guard policy '{guard.Id}' applies to unknown tenant");
            Each(context, guard, "agents", guard.Agents, agents, $"guard policy '{guard.Id}' applies to unknown agent");
        }
    }

    private static void Each(ConfigValidationContext context, object owner, string member, IReadOnlyList<string> values, HashSet<string> known, string message)
    {
        for (int i = 0; i < values.Count; i++)
        {
            if (!known.Contains(values[i])) context.Error(owner, member, $"{message} '{values[i]}'", i);
        }
    }
}
