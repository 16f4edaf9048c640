using Attest.Scanning.Model;

namespace Attest.Scanning.Analysis;

/// <summary>Kubernetes RBAC matching semantics for one policy rule (wildcards, subresources, <c>*/sub</c>).</summary>
public static class Permissions
{
    /// <summary>True when <paramref name="rule"/> allows <paramref name="verb"/> on <paramref name="resource"/> (e.g. <c>pods/exec</c>) in <paramref name="group"/>.</summary>
    public static bool Allows(PolicyRule rule, string verb, string group, string resource)
    {
        if (rule.Resources.Count == 0) return false;
        return Has(rule.Verbs, verb) && Has(rule.ApiGroups, group) && ResourceMatches(rule.Resources, resource);
    }

    /// <summary>True when the rule allows any of the verbs on any of the resources in any of the groups.</summary>
    public static bool AllowsAny(PolicyRule rule, IReadOnlyList<string> verbs, IReadOnlyList<string> groups, IReadOnlyList<string> resources)
    {
        foreach (var v in verbs)
            foreach (var g in groups)
                foreach (var r in resources)
                    if (Allows(rule, v, g, r)) return true;
        return false;
    }

    /// <summary>Rule grants everything (<c>*</c> verbs, groups and resources): cluster-admin's shape.</summary>
    public static bool IsFullWildcard(PolicyRule rule) =>
        rule.Verbs.Contains("*") && rule.ApiGroups.Contains("*") && rule.Resources.Contains("*") && rule.ResourceNames.Count == 0;

    private static bool Has(IReadOnlyList<string> values, string wanted)
    {
        foreach (var v in values)
            if (v == "*" || v == wanted) return true;
        return false;
    }

    private static bool ResourceMatches(IReadOnlyList<string> ruleResources, string requested)
    {
        var slash = requested.IndexOf('/', StringComparison.Ordinal);
        var sub = slash < 0 ? null : requested[(slash + 1)..];
        foreach (var r in ruleResources)
        {
            if (r == "*" || r == requested) return true;
            if (sub is not null && r.Length == sub.Length + 2 && r.StartsWith("*/", StringComparison.Ordinal) && r.EndsWith(sub, StringComparison.Ordinal))
                return true;
        }
        return false;
    }
}
