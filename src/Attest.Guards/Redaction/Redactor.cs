using System.Text;
using Attest.Core.Guards;

namespace Attest.Guards.Redaction;

/// <summary>Replaces redacted spans with typed placeholders, keyed hash tags or reversible pseudonyms.</summary>
public static class Redactor
{
    /// <summary>Placeholder label of a finding type: <c>pii.email</c> → <c>EMAIL</c>, <c>secret.*</c> → <c>SECRET</c>.</summary>
    public static string Label(string type) =>
        type.StartsWith("secret.", StringComparison.Ordinal) ? "SECRET"
        : (type.LastIndexOf('.') is var d and >= 0 ? type[(d + 1)..] : type).ToUpperInvariant();

    /// <summary>Applies the redactions (overlaps merged: the earliest, then longest, span wins).</summary>
    public static string Apply(string text, IEnumerable<GuardFinding> redact, string mode, PseudonymVault vault, string? scope)
    {
        var spans = redact.Where(f => f.Length > 0).OrderBy(f => f.Start).ThenByDescending(f => f.Length).ToList();
        if (spans.Count == 0) return text;
        var sb = new StringBuilder(text.Length);
        var numbering = new Dictionary<string, string>(StringComparer.Ordinal);
        var perLabel = new Dictionary<string, int>(StringComparer.Ordinal);
        int pos = 0;
        foreach (var f in spans)
        {
            if (f.Start < pos) continue;
            sb.Append(text, pos, f.Start - pos);
            var value = text.Substring(f.Start, f.Length);
            var label = Label(f.Type);
            sb.Append(mode switch
            {
                "hash" => vault.HashTag(label, value),
                "pseudonymize" when scope is not null => vault.Pseudonymize(scope, label, value),
                _ => Numbered(numbering, perLabel, label, value),
            });
            pos = f.Start + f.Length;
        }
        sb.Append(text, pos, text.Length - pos);
        return sb.ToString();
    }

    private static string Numbered(Dictionary<string, string> numbering, Dictionary<string, int> perLabel, string label, string value)
    {
        var key = label + "\n" + value;
        if (numbering.TryGetValue(key, out var p)) return p;
        int n = perLabel.GetValueOrDefault(label) + 1;
        perLabel[label] = n;
        return numbering[key] = $"<{label}_{n}>";
    }
}
