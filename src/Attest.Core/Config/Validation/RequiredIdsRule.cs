namespace Attest.Core.Config;

/// <summary>Every entry of an id-keyed section has an id (models: an alias; retention: a data class).</summary>
public sealed class RequiredIdsRule : IConfigValidator
{
    public void Validate(ConfigValidationContext context)
    {
        foreach (var (section, kind, items) in Sections.Of(context.Config))
        {
            for (int i = 0; i < items.Count; i++)
            {
                var (entry, id, idKey) = items[i];
                if (string.IsNullOrWhiteSpace(id)) context.Error(entry, null, $"{kind} #{i + 1} in '{section}' has no {idKey}");
            }
        }
    }
}

/// <summary>The id-keyed sections of a config, for the id rules.</summary>
internal static class Sections
{
    public static IEnumerable<(string Section, string Kind, IReadOnlyList<(object Entry, string Id, string IdKey)> Items)> Of(AttestConfig c)
    {
        yield return ("environments", "environment", [.. c.Environments.Select(x => ((object)x, x.Id, "id"))]);
        yield return ("tenants", "tenant", [.. c.Tenants.Select(x => ((object)x, x.Id, "id"))]);
        yield return ("principals", "principal", [.. c.Principals.Select(x => ((object)x, x.Id, "id"))]);
        yield return ("groups", "group", [.. c.Groups.Select(x => ((object)x, x.Id, "id"))]);
        yield return ("providers", "provider", [.. c.Providers.Select(x => ((object)x, x.Id, "id"))]);
        yield return ("models", "model", [.. c.Models.Select(x => ((object)x, x.Alias, "alias"))]);
        yield return ("keys", "key", [.. c.Keys.Select(x => ((object)x, x.Id, "id"))]);
        yield return ("agents", "agent", [.. c.Agents.Select(x => ((object)x, x.Id, "id"))]);
        yield return ("tools", "tool", [.. c.Tools.Select(x => ((object)x, x.Id, "id"))]);
        yield return ("connectors", "connector", [.. c.Connectors.Select(x => ((object)x, x.Id, "id"))]);
        yield return ("guards", "guard policy", [.. c.Guards.Select(x => ((object)x, x.Id, "id"))]);
        yield return ("retention", "retention rule", [.. c.Retention.Select(x => ((object)x, x.DataClass, "dataClass"))]);
    }
}
