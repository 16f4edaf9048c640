using Attest.Core.Config;

namespace Attest.Retrieval;

/// <summary>
/// Checks that a connector is declared in attest.yaml with everything the change-governance controls need
/// (owner, classification, retention, at least one eval case) and that the tenant may ingest through it.
/// </summary>
public static class ConnectorCatalog
{
    public static readonly IReadOnlyList<string> Classifications = ["public", "internal", "confidential", "restricted"];

    /// <summary>Returns the connector or throws <see cref="RetrievalException"/> naming what is missing.</summary>
    public static ConnectorConfig Require(PolicySnapshot policy, string connector, string tenant)
    {
        if (string.IsNullOrWhiteSpace(connector))
            throw new RetrievalException("connector_required", "every document must name its connector", "connector");
        if (!policy.Connectors.TryGetValue(connector, out var c))
            throw new RetrievalException("connector_not_declared", $"connector '{connector}' is not declared in attest.yaml (connectors:)", "connector");
        var missing = Problems(c);
        if (missing.Count > 0)
            throw new RetrievalException("connector_incomplete", $"connector '{connector}' is incomplete: {string.Join("; ", missing)}", "connector");
        if (c.Tenants.Count > 0 && !c.Tenants.Contains(tenant, StringComparer.Ordinal))
            throw new RetrievalException("connector_tenant_not_allowed", $"connector '{connector}' is not enabled for tenant '{tenant}'", "connector", forbidden: true);
        return c;
    }

    /// <summary>What a declared connector lacks (empty when complete).</summary>
    public static IReadOnlyList<string> Problems(ConnectorConfig c)
    {
        var p = new List<string>();
        if (string.IsNullOrWhiteSpace(c.Owner)) p.Add("owner is missing");
        if (string.IsNullOrWhiteSpace(c.Classification)) p.Add("classification is missing");
        else if (!Classifications.Contains(c.Classification, StringComparer.Ordinal))
            p.Add($"classification '{c.Classification}' is not one of {string.Join(", ", Classifications)}");
        if (string.IsNullOrWhiteSpace(c.Retention)) p.Add("retention is missing");
        else if (!Durations.TryParse(c.Retention, out _)) p.Add($"retention '{c.Retention}' is not a duration (e.g. 30d, 12mo, 7y)");
        if (c.EvalCases.Count == 0) p.Add("no eval cases (evalCases:)");
        else if (c.EvalCases.Any(e => string.IsNullOrWhiteSpace(e.Query))) p.Add("an eval case has no query");
        return p;
    }
}
