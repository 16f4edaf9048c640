namespace Attest.Core.Config;

/// <summary>Guard policy actions use known directions (<c>input</c>, <c>retrieved</c>, <c>tool</c>, <c>output</c>) and actions (<c>allow</c>, <c>flag</c>, <c>redact</c>, <c>block</c>).</summary>
public sealed class GuardActionsRule : IConfigValidator
{
    public void Validate(ConfigValidationContext context)
    {
        foreach (var g in context.Config.Guards)
        {
            foreach (var (direction, actions) in g.Actions)
            {
                if (!ConfigVocabulary.GuardDirections.Contains(direction, StringComparer.Ordinal))
                    context.Error(g.Actions, direction, $"guard policy '{g.Id}': unknown direction '{direction}'; use one of {string.Join(", ", ConfigVocabulary.GuardDirections)}");
                foreach (var (finding, action) in actions)
                {
                    if (!ConfigVocabulary.GuardActions.Contains(action, StringComparer.Ordinal))
                        context.Error(actions, finding, $"guard policy '{g.Id}': '{direction}.{finding}' is '{action}'; use one of {string.Join(", ", ConfigVocabulary.GuardActions)}");
                }
            }
        }
    }
}
