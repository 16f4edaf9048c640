using System.Text.RegularExpressions;

namespace Attest.Core.Config;

/// <summary>Every <see cref="SecretRef"/> names exactly one of <c>env</c> (a valid variable name) or <c>file</c>.</summary>
public sealed partial class SecretRefRule : IConfigValidator
{
    public void Validate(ConfigValidationContext context)
    {
        foreach (var m in ConfigWalker.Members(context.Config))
        {
            if (m.Value is not SecretRef secret) continue;
            bool hasEnv = !string.IsNullOrWhiteSpace(secret.Env), hasFile = !string.IsNullOrWhiteSpace(secret.File);
            if (hasEnv && hasFile)
                context.Error(secret, null, $"secret reference '{m.Path}' sets both env and file: give exactly one");
            else if (!hasEnv && !hasFile)
                context.Error(secret, null, $"secret reference '{m.Path}' sets neither env nor file: give exactly one");
            else if (hasEnv && !EnvName().IsMatch(secret.Env!))
                context.Error(secret, "env", $"secret reference '{m.Path}': '{secret.Env}' is not an environment variable name");
        }
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex EnvName();
}
