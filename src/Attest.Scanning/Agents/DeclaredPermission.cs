namespace Attest.Scanning.Agents;

/// <summary>
/// One entry of an agent's <c>kubernetesPermissions</c>: <c>VERBS RESOURCES [in NAMESPACES]</c>, e.g.
/// <c>get,list pods in ns-x</c>, <c>get configmaps</c>, <c>watch deployments.apps in *</c>. Resources may carry a
/// subresource (<c>pods/log</c>) or an API group suffix (<c>deployments.apps</c>); without a group any group matches.
/// Without <c>in</c>, the permission applies in the namespace of the agent's service account; <c>in *</c> means
/// cluster-wide (which also covers ClusterRoleBindings).
/// </summary>
public sealed record DeclaredPermission(IReadOnlyList<string> Verbs, IReadOnlyList<(string? Group, string Resource)> Resources, IReadOnlyList<string>? Namespaces)
{
    public bool ClusterWide => Namespaces is not null && Namespaces.Contains("*");

    /// <summary>Parses one entry; returns null and an error message when it is malformed.</summary>
    public static DeclaredPermission? Parse(string text, out string? error)
    {
        error = null;
        var parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length is not (2 or 4) || parts.Length == 4 && parts[2] != "in")
        {
            error = $"'{text}' is not 'VERBS RESOURCES [in NAMESPACES]' (e.g. 'get,list pods in ns-x')";
            return null;
        }
        var verbs = Split(parts[0]);
        var resources = Split(parts[1]).Select(ParseResource).ToList();
        var namespaces = parts.Length == 4 ? Split(parts[3]) : null;
        if (verbs.Count == 0 || resources.Count == 0 || namespaces is { Count: 0 })
        {
            error = $"'{text}' has an empty verb, resource or namespace list";
            return null;
        }
        return new DeclaredPermission(verbs, resources, namespaces);
    }

    /// <summary>True when this declaration covers <paramref name="verb"/> on <paramref name="resource"/> in <paramref name="group"/> at the scope (null = cluster-wide).</summary>
    public bool Covers(string verb, string group, string resource, string? scope, string accountNamespace)
    {
        if (!Verbs.Contains("*") && !Verbs.Contains(verb)) return false;
        if (scope is null ? !ClusterWide : !(ClusterWide || (Namespaces ?? [accountNamespace]).Contains(scope))) return false;
        foreach (var (g, r) in Resources)
        {
            if (g is not null && g != group) continue;
            if (r == "*" || r == resource) return true;
        }
        return false;
    }

    private static List<string> Split(string s) => s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();

    private static (string?, string) ParseResource(string r)
    {
        if (r.StartsWith('/')) return (null, r);
        var slash = r.IndexOf('/', StringComparison.Ordinal);
        var head = slash < 0 ? r : r[..slash];
        var sub = slash < 0 ? "" : r[slash..];
        var dot = head.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? (null, r) : (head[(dot + 1)..], head[..dot] + sub);
    }
}
