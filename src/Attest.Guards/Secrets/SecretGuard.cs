using System.Buffers;
using System.Collections.Frozen;
using Attest.Core.Guards;

namespace Attest.Guards.Secrets;

/// <summary>
/// Credential detector. One pass of a multi-string <see cref="SearchValues{T}"/> search finds the rule
/// anchors present in the text; only rules whose anchor occurred run their (precompiled) regex.
/// </summary>
public sealed class SecretGuard : IContentGuard
{
    private static readonly SearchValues<char> Alnum = SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
    private readonly IReadOnlyList<SecretRule> _rules;
    private readonly SearchValues<string> _anchors;
    private readonly FrozenDictionary<char, (string Anchor, int[] Rules)[]> _byFirstChar;

    public SecretGuard() : this(SecretRules.All) { }

    public SecretGuard(IReadOnlyList<SecretRule> rules)
    {
        _rules = rules;
        var byAnchor = new Dictionary<string, List<int>>(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < rules.Count; i++)
            foreach (var a in rules[i].Anchors)
                (byAnchor.TryGetValue(a, out var l) ? l : byAnchor[a] = []).Add(i);
        _anchors = SearchValues.Create([.. byAnchor.Keys], StringComparison.OrdinalIgnoreCase);
        _byFirstChar = byAnchor
            .GroupBy(kv => char.ToLowerInvariant(kv.Key[0]))
            .ToFrozenDictionary(g => g.Key, g => g.Select(kv => (kv.Key, kv.Value.ToArray())).ToArray());
    }

    public string Name => "secrets";

    public void Scan(string text, GuardScan scan, List<GuardFinding> findings)
    {
        Span<bool> triggered = _rules.Count <= 256 ? stackalloc bool[_rules.Count] : new bool[_rules.Count];
        var span = text.AsSpan();
        int pos = 0;
        bool any = false;
        while (pos < span.Length)
        {
            int i = span[pos..].IndexOfAny(_anchors);
            if (i < 0) break;
            pos += i;
            if (_byFirstChar.TryGetValue(char.ToLowerInvariant(span[pos]), out var candidates))
            {
                foreach (var (anchor, rules) in candidates)
                {
                    if (!span[pos..].StartsWith(anchor, StringComparison.OrdinalIgnoreCase)) continue;
                    foreach (var r in rules) triggered[r] = true;
                    any = true;
                }
            }
            pos++;
        }
        if (!any) return;
        int first = findings.Count;
        for (int r = 0; r < _rules.Count; r++)
        {
            if (triggered[r]) Run(_rules[r], text, findings, first);
        }
    }

    private static void Run(SecretRule rule, string text, List<GuardFinding> findings, int first)
    {
        for (var m = rule.Regex.Match(text); m.Success; m = m.NextMatch())
        {
            var g = rule.HasSecretGroup ? m.Groups["s"] : m;
            if (!g.Success) continue;
            var value = g.ValueSpan;
            if (rule.MinEntropy > 0 && !LooksRandom(value, rule.MinEntropy)) continue;
            if (rule.HasSecretGroup && rule.Id.EndsWith("_uri", StringComparison.Ordinal) && Entropy.IsPlaceholder(value)) continue;
            if (Overlaps(findings, first, g.Index, g.Length)) continue;
            findings.Add(new GuardFinding(rule.Type, g.Index, g.Length, rule.Score, "secret." + rule.Id));
        }
    }

    private static bool LooksRandom(ReadOnlySpan<char> v, double minEntropy)
    {
        if (Entropy.IsPlaceholder(v) || Entropy.IsUuid(v) || Entropy.IsHexDigest(v)) return false;
        bool lower = v.ContainsAnyInRange('a', 'z'), upper = v.ContainsAnyInRange('A', 'Z'), digit = v.ContainsAnyInRange('0', '9');
        bool symbol = v.ContainsAnyExcept(Alnum);
        int classes = (lower ? 1 : 0) + (upper ? 1 : 0) + (digit ? 1 : 0) + (symbol ? 1 : 0);
        // Identifiers such as config.auth.token or getAccessToken are words, not secrets.
        if (!digit && !(classes >= 3 && v.Length >= 20)) return false;
        if (classes < 2) return false;
        return Entropy.Shannon(v) >= minEntropy;
    }

    private static bool Overlaps(List<GuardFinding> findings, int first, int start, int length)
    {
        for (int i = first; i < findings.Count; i++)
            if (start < findings[i].Start + findings[i].Length && findings[i].Start < start + length) return true;
        return false;
    }
}
