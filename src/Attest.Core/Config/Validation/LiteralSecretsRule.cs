using System.Text.RegularExpressions;

namespace Attest.Core.Config;

/// <summary>
/// No value anywhere in the file looks like a credential (API keys, tokens, private keys, passwords in
/// connection strings or URLs). Secrets belong in an environment variable or a file, named by a
/// <see cref="SecretRef"/>. The message names the kind of credential, never its value.
/// </summary>
public sealed partial class LiteralSecretsRule : IConfigValidator
{
    public void Validate(ConfigValidationContext context)
    {
        // A literal given where a SecretRef belongs is already reported by the loader at the same spot.
        var reported = context.Document.Errors.Select(e => new ConfigLocation(e.Line, e.Column)).ToHashSet();
        foreach (var scalar in context.Document.Scalars)
        {
            if (reported.Contains(scalar.Location) || Detect(scalar.Value) is not { } kind) continue;
            var where = scalar.IsKey ? $"a key in '{Show(scalar.Path)}'" : $"'{Show(scalar.Path)}'";
            context.Error(scalar.Location, $"{where} looks like a literal secret ({kind}): put it in an environment variable or file and reference it with {{env: NAME}} or {{file: PATH}}");
        }
    }

    /// <summary>The kind of credential <paramref name="value"/> looks like, or null.</summary>
    public static string? Detect(string value)
    {
        if (value.Length < 8) return null;
        if (OpenAiKey().IsMatch(value)) return "an API key";
        if (AwsKey().IsMatch(value)) return "an AWS access key";
        if (GitHubToken().IsMatch(value)) return "a GitHub token";
        if (SlackToken().IsMatch(value)) return "a Slack token";
        if (GoogleKey().IsMatch(value)) return "a Google API key";
        if (PrivateKey().IsMatch(value)) return "a private key";
        if (Jwt().IsMatch(value)) return "a signed token";
        if (PasswordSetting().IsMatch(value)) return "a password";
        if (UrlCredentials().IsMatch(value)) return "a password in a URL";
        return null;
    }

    private static string Show(string path) => path.Length == 0 ? "(file)" : path;

    [GeneratedRegex(@"\bsk-(?:ant-|proj-|live_|test_)?[A-Za-z0-9_\-]{20,}")]
    private static partial Regex OpenAiKey();
    [GeneratedRegex(@"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")]
    private static partial Regex AwsKey();
    [GeneratedRegex(@"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,})")]
    private static partial Regex GitHubToken();
    [GeneratedRegex(@"\bxox[abprs]-[A-Za-z0-9-]{10,}")]
    private static partial Regex SlackToken();
    [GeneratedRegex(@"\bAIza[0-9A-Za-z_\-]{35}")]
    private static partial Regex GoogleKey();
    [GeneratedRegex(@"-----BEGIN [A-Z ]*PRIVATE KEY-----")]
    private static partial Regex PrivateKey();
    [GeneratedRegex(@"\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}")]
    private static partial Regex Jwt();
    [GeneratedRegex(@"(?i)(?:^|;)\s*(?:password|pwd)\s*=\s*[^;\s]+")]
    private static partial Regex PasswordSetting();
    [GeneratedRegex(@"://[^/\s:@]+:[^/\s@]+@")]
    private static partial Regex UrlCredentials();
}
