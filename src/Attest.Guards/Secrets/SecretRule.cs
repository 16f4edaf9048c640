using System.Text.RegularExpressions;

namespace Attest.Guards.Secrets;

/// <summary>
/// One credential format: a regex (compiled once, at type load), the literal anchors that must occur for
/// it to run (case-insensitive), the score, and an optional minimum Shannon entropy of the secret part
/// (named group <c>s</c>, else the whole match).
/// </summary>
public sealed class SecretRule
{
    public SecretRule(string id, string pattern, string[] anchors, double score = 0.95, double minEntropy = 0)
    {
        Id = id;
        Anchors = anchors;
        Score = score;
        MinEntropy = minEntropy;
        Regex = new Regex(pattern, RegexOptions.Compiled | RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture, TimeSpan.FromSeconds(2));
        HasSecretGroup = Regex.GetGroupNames().Contains("s", StringComparer.Ordinal);
    }

    /// <summary>Rule id; the finding type is <c>secret.</c> + id.</summary>
    public string Id { get; }
    public string Type => "secret." + Id;
    public IReadOnlyList<string> Anchors { get; }
    public double Score { get; }
    public double MinEntropy { get; }
    public Regex Regex { get; }
    public bool HasSecretGroup { get; }
}
