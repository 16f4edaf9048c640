namespace Attest.Scanning.Model;

/// <summary>One RBAC policy rule (an entry of <c>rules:</c>) with the location of its list entry.</summary>
public sealed record PolicyRule(
    IReadOnlyList<string> ApiGroups,
    IReadOnlyList<string> Resources,
    IReadOnlyList<string> Verbs,
    IReadOnlyList<string> ResourceNames,
    IReadOnlyList<string> NonResourceUrls,
    SourceLocation Location)
{
    public override string ToString()
    {
        var what = NonResourceUrls.Count > 0 ? string.Join(",", NonResourceUrls) : string.Join(",", Resources);
        var groups = ApiGroups.Count == 0 ? "" : " [" + string.Join(",", ApiGroups.Select(g => g.Length == 0 ? "core" : g)) + "]";
        var names = ResourceNames.Count == 0 ? "" : " named " + string.Join(",", ResourceNames);
        return $"{string.Join(",", Verbs)} {what}{groups}{names}";
    }
}

/// <summary>A label selector (<c>matchLabels</c> and <c>matchExpressions</c>).</summary>
public sealed record LabelSelector(
    IReadOnlyDictionary<string, string> MatchLabels,
    IReadOnlyList<(string Key, string Operator, IReadOnlyList<string> Values)> Expressions)
{
    public bool Matches(IReadOnlyDictionary<string, string> labels)
    {
        foreach (var (k, v) in MatchLabels)
            if (!labels.TryGetValue(k, out var actual) || actual != v) return false;
        foreach (var (key, op, values) in Expressions)
        {
            var has = labels.TryGetValue(key, out var actual);
            var ok = op switch
            {
                "In" => has && values.Contains(actual!),
                "NotIn" => !has || !values.Contains(actual!),
                "Exists" => has,
                "DoesNotExist" => !has,
                _ => false,
            };
            if (!ok) return false;
        }
        return true;
    }
}

/// <summary>A Role (namespaced) or ClusterRole (<see cref="Namespace"/> null).</summary>
public sealed record RbacRole(
    string Kind,
    string Name,
    string? Namespace,
    IReadOnlyList<PolicyRule> Rules,
    IReadOnlyList<LabelSelector> AggregationSelectors,
    IReadOnlyDictionary<string, string> Labels,
    SourceLocation Location)
{
    public bool IsClusterRole => Kind == "ClusterRole";
    public string Display => IsClusterRole ? $"ClusterRole {Name}" : $"Role {Namespace}/{Name}";
}

/// <summary>A binding subject. Service-account users (<c>system:serviceaccount:ns:name</c>) are normalised to ServiceAccount.</summary>
public sealed record RbacSubject(string Kind, string Name, string? Namespace)
{
    public string Key => Kind == "ServiceAccount" ? $"ServiceAccount {Namespace}/{Name}" : $"{Kind} {Name}";

    public static RbacSubject Normalise(string kind, string name, string? ns)
    {
        if (kind == "User" && name.StartsWith("system:serviceaccount:", StringComparison.Ordinal))
        {
            var parts = name.Split(':');
            if (parts.Length == 4) return new RbacSubject("ServiceAccount", parts[3], parts[2]);
        }
        return new RbacSubject(kind, name, kind == "ServiceAccount" ? ns : null);
    }
}

/// <summary>A RoleBinding (namespaced) or ClusterRoleBinding (<see cref="Namespace"/> null).</summary>
public sealed record RbacBinding(
    string Kind,
    string Name,
    string? Namespace,
    string RoleKind,
    string RoleName,
    IReadOnlyList<RbacSubject> Subjects,
    SourceLocation Location)
{
    public bool IsClusterBinding => Kind == "ClusterRoleBinding";
    public string Display => IsClusterBinding ? $"ClusterRoleBinding {Name}" : $"RoleBinding {Namespace}/{Name}";
}

/// <summary>A ServiceAccount with its token automount setting and annotations.</summary>
public sealed record ServiceAccountObject(
    string Name,
    string Namespace,
    bool? AutomountToken,
    IReadOnlyDictionary<string, string> Annotations,
    SourceLocation Location)
{
    public string Key => $"{Namespace}/{Name}";
}

/// <summary>A workload's pod spec facts: which service account it runs as and whether the token is mounted.</summary>
public sealed record WorkloadObject(
    string Kind,
    string Name,
    string Namespace,
    string ServiceAccountName,
    bool? AutomountToken,
    IReadOnlyDictionary<string, string> Annotations,
    SourceLocation Location)
{
    public string ServiceAccountKey => $"{Namespace}/{ServiceAccountName}";
    public string Display => $"{Kind} {Namespace}/{Name}";
}

/// <summary>A Secret of type <c>kubernetes.io/service-account-token</c> (only metadata is read, never data).</summary>
public sealed record TokenSecretObject(string Name, string Namespace, string ServiceAccountName, SourceLocation Location);
