namespace Attest.Core.Config;

/// <summary>The file names the environment it configures, and that environment is declared under <c>environments</c>.</summary>
public sealed class EnvironmentRule : IConfigValidator
{
    public void Validate(ConfigValidationContext context)
    {
        var c = context.Config;
        if (string.IsNullOrWhiteSpace(c.Environment))
        {
            if (c.Environments.Count > 0)
                context.Error(c, "environments", $"'environment' is not set: name which of {string.Join(", ", c.Environments.Select(e => e.Id))} this file configures");
            return;
        }
        if (!c.Environments.Any(e => string.Equals(e.Id, c.Environment, StringComparison.Ordinal)))
            context.Error(c, "environment", $"environment '{c.Environment}' is not declared under 'environments'");
    }
}
