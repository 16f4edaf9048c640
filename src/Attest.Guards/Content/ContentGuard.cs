using Attest.Core.Guards;

namespace Attest.Guards.Content;

/// <summary>Deny keywords (whole-word, case-insensitive) and deny patterns from the tenant/agent policy, compiled once per snapshot.</summary>
public sealed class ContentGuard : IContentGuard
{
    public string Name => "content";

    public void Scan(string text, GuardScan scan, List<GuardFinding> findings)
    {
        var policy = scan.Policy;
        if (policy.DenyKeywords is { } keywords)
        {
            var span = text.AsSpan();
            int pos = 0;
            while (pos < span.Length)
            {
                int i = span[pos..].IndexOfAny(keywords);
                if (i < 0) break;
                pos += i;
                foreach (var k in policy.DenyKeywordList)
                {
                    if (!span[pos..].StartsWith(k, StringComparison.OrdinalIgnoreCase)) continue;
                    bool left = pos == 0 || !char.IsLetterOrDigit(span[pos - 1]);
                    bool right = pos + k.Length >= span.Length || !char.IsLetterOrDigit(span[pos + k.Length]);
                    if (left && right) findings.Add(new GuardFinding("content", pos, k.Length, 1.0, "content.keyword"));
                    break;
                }
                pos++;
            }
        }
        for (int p = 0; p < policy.DenyPatterns.Count; p++)
            foreach (var m in policy.DenyPatterns[p].EnumerateMatches(text))
                if (m.Length > 0) findings.Add(new GuardFinding("content", m.Index, m.Length, 1.0, $"content.pattern.{p}"));
    }
}
