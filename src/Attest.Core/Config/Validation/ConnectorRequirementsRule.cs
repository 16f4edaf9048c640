namespace Attest.Core.Config;

/// <summary>A connector has an owner, a data classification, a retention period and at least one eval case with a query.</summary>
public sealed class ConnectorRequirementsRule : IConfigValidator
{
    public void Validate(ConfigValidationContext context)
    {
        foreach (var c in context.Config.Connectors)
        {
            if (string.IsNullOrWhiteSpace(c.Owner)) context.Error(c, null, $"connector '{c.Id}' has no owner");
            if (string.IsNullOrWhiteSpace(c.Classification)) context.Error(c, null, $"connector '{c.Id}' has no classification ({string.Join("/", ConfigVocabulary.Classifications)})");
            if (string.IsNullOrWhiteSpace(c.Retention)) context.Error(c, null, $"connector '{c.Id}' has no retention (e.g. 90d, 1y)");
            if (c.EvalCases.Count == 0) context.Error(c, null, $"connector '{c.Id}' has no eval cases (add at least one query with its expected document)");
            foreach (var e in c.EvalCases)
            {
                if (string.IsNullOrWhiteSpace(e.Query)) context.Error(e, null, $"connector '{c.Id}' has an eval case with no query");
            }
        }
    }
}
