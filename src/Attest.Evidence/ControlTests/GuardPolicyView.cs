using Attest.Core.Config;

namespace Attest.Evidence.ControlTests;

/// <summary>
/// Reads the effective guard action for a tenant, direction and finding type from the guard
/// policies in config, falling back to the guards' documented defaults (input PII redact; secrets,
/// injection and canaries block).
/// </summary>
internal static class GuardPolicyView
{
    private static readonly string[] Order = ["allow", "flag", "redact", "block"];

    public static string Default(string direction, string type) => (direction, type) switch
    {
        (_, "secret" or "injection" or "canary") => "block",
        ("input" or "retrieved" or "tool", "pii") => "redact",
        (_, "pii") => "flag",
        _ => "allow",
    };

    /// <summary>The weakest action any applicable policy sets (a weaker rule for a subtype counts), else the default.</summary>
    public static string Effective(PolicySnapshot policy, string tenant, string direction, string type)
    {
        string? weakest = null;
        foreach (var g in policy.Config.Guards)
        {
            if (g.Tenants.Count > 0 && !g.Tenants.Contains(tenant, StringComparer.Ordinal)) continue;
            if (!g.Actions.TryGetValue(direction, out var map)) continue;
            foreach (var (k, v) in map)
            {
                if (k != type && !k.StartsWith(type + ".", StringComparison.Ordinal)) continue;
                if (weakest is null || Array.IndexOf(Order, v) < Array.IndexOf(Order, weakest)) weakest = v;
            }
        }
        return weakest ?? Default(direction, type);
    }

    public static bool AtLeast(string action, string minimum) => Array.IndexOf(Order, action) >= Array.IndexOf(Order, minimum);

    public static IEnumerable<string> TenantIds(PolicySnapshot policy) =>
        policy.Config.Tenants.Count > 0 ? policy.Config.Tenants.Select(t => t.Id) : ["*"];
}
