using System.Buffers;
using Attest.Core.Guards;
using Attest.Guards.Text;

namespace Attest.Guards.Secrets;

/// <summary>
/// Credential detector. One pass of a <see cref="TriggerMatcher"/> (case-insensitive) finds the rule anchors
/// present in the text; only rules whose anchor occurred run their (precompiled) regex.
/// </summary>
public sealed class SecretGuard : IContentGuard
{
    private static readonly SearchValues<char> Alnum = SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
    private readonly IReadOnlyList<SecretRule> _rules;
    private readonly TriggerMatcher _anchors;
    private readonly int[][] _rulesOfAnchor;

    public SecretGuard() : this(SecretRules.All) { }

    public SecretGuard(IReadOnlyList<SecretRule> rules)
    {
        _rules = rules;
        var byAnchor = new Dictionary<string, List<int>>(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < rules.Count; i++)
            foreach (var a in rules[i].Anchors)
                (byAnchor.TryGetValue(a, out var l) ? l : byAnchor[a] = []).Add(i);
        _anchors = new TriggerMatcher([.. byAnchor.Keys], ignoreCase: true);
        _rulesOfAnchor = [.. _anchors.Patterns.Select(a => byAnchor[a].ToArray())];
    }

    public string Name => "secrets";

    public void Scan(string text, GuardScan scan, List<GuardFinding> findings)
    {
        var visitor = new Triggered(_rulesOfAnchor, _rules.Count > 256 ? new bool[_rules.Count] : null);
        _anchors.Scan(text, ref visitor);
        if (visitor.Count == 0) return;
        int first = findings.Count;
        for (int r = 0; r < _rules.Count; r++)
        {
            if (visitor.Has(r)) Run(_rules[r], text, findings, first);
        }
    }

    /// <summary>Marks the rules whose anchors occur (a bit set for up to 256 rules, else an array).</summary>
    private struct Triggered(int[][] rulesOfAnchor, bool[]? large) : ITriggerVisitor
    {
        private ulong _b0, _b1, _b2, _b3;
        public int Count;

        public bool OnMatch(int pattern, int position)
        {
            foreach (int r in rulesOfAnchor[pattern])
            {
                Count++;
                if (large is not null) { large[r] = true; continue; }
                ulong bit = 1UL << (r & 63);
                switch (r >> 6)
                {
                    case 0: _b0 |= bit; break;
                    case 1: _b1 |= bit; break;
                    case 2: _b2 |= bit; break;
                    default: _b3 |= bit; break;
                }
            }
            return true;
        }

        public readonly bool Has(int r) => large is not null ? large[r] : ((r >> 6) switch { 0 => _b0, 1 => _b1, 2 => _b2, _ => _b3 } >> (r & 63) & 1) != 0;
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
