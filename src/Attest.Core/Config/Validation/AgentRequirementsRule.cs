namespace Attest.Core.Config;

/// <summary>An agent has an owner, an impact level and a model.</summary>
public sealed class AgentRequirementsRule : IConfigValidator
{
    public void Validate(ConfigValidationContext context)
    {
        foreach (var a in context.Config.Agents)
        {
            if (string.IsNullOrWhiteSpace(a.Owner)) context.Error(a, null, $"agent '{a.Id}' has no owner");
            if (string.IsNullOrWhiteSpace(a.Impact)) context.Error(a, null, $"agent '{a.Id}' has no impact ({string.Join("/", ConfigVocabulary.Impacts)})");
            if (string.IsNullOrWhiteSpace(a.Model)) context.Error(a, null, $"agent '{a.Id}' has no model");
        }
    }
}
