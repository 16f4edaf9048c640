namespace Attest.Core.Config;

/// <summary>Every model alias has at least one target, and each target names a declared provider and a model version.</summary>
public sealed class ModelReferencesRule : IConfigValidator
{
    public void Validate(ConfigValidationContext context)
    {
        var providers = context.Config.Providers.Select(p => p.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var model in context.Config.Models)
        {
            if (model.Targets.Count == 0) context.Error(model, "targets", $"model '{model.Alias}' has no targets (provider + pinned model version)");
            foreach (var target in model.Targets)
            {
                if (string.IsNullOrWhiteSpace(target.Provider))
                    context.Error(target, null, $"model '{model.Alias}' has a target with no provider");
                else if (!providers.Contains(target.Provider))
                    context.Error(target, "provider", $"model '{model.Alias}' targets unknown provider '{target.Provider}'");
                if (string.IsNullOrWhiteSpace(target.Model))
                    context.Error(target, null, $"model '{model.Alias}' has a target with no model version");
            }
        }
    }
}
