using Attest.Core.Guards;

namespace Attest.Guards.Canary;

/// <summary>Finds the tenant's canary tokens (exact, case-sensitive) in the text; one multi-string search per text.</summary>
public sealed class CanaryGuard : IContentGuard
{
    public string Name => "canary";

    public void Scan(string text, GuardScan scan, List<GuardFinding> findings)
    {
        var canaries = scan.Policy.Canaries;
        if (canaries is null) return;
        var span = text.AsSpan();
        int pos = 0;
        while (pos < span.Length)
        {
            int i = span[pos..].IndexOfAny(canaries);
            if (i < 0) return;
            pos += i;
            int len = 0;
            foreach (var c in scan.Policy.CanaryList)
                if (span[pos..].StartsWith(c, StringComparison.Ordinal)) len = Math.Max(len, c.Length);
            findings.Add(new GuardFinding("canary", pos, len, 1.0, "canary.tenant"));
            pos += Math.Max(1, len);
        }
    }
}
