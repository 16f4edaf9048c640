using Attest.Scanning.Model;

namespace Attest.Scanning.Analysis;

/// <summary>
/// The resolved RBAC model: roles with aggregation applied, every grant per subject, implicit group membership,
/// and the bindings whose role or service account is missing. Immutable after construction apart from a locked cache of effective grants; safe to share.
/// </summary>
public sealed class RbacGraph
{
    private readonly Dictionary<string, RbacRole> _roles = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<Grant>> _direct = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ServiceAccountObject> _serviceAccounts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IReadOnlyList<Grant>> _effective = new(StringComparer.Ordinal);

    public RbacGraph(ManifestSet set)
    {
        Manifests = set;
        foreach (var sa in set.ServiceAccounts) _serviceAccounts[sa.Key] = sa;
        foreach (var role in set.Roles) _roles[RoleKey(role.Kind, role.Namespace, role.Name)] = role;
        foreach (var role in set.Roles.Where(r => r.AggregationSelectors.Count > 0))
            _roles[RoleKey(role.Kind, null, role.Name)] = Aggregate(role, set.Roles);
        var namespacesWithAccounts = set.ServiceAccounts.Select(s => s.Namespace).ToHashSet(StringComparer.Ordinal);
        foreach (var binding in set.Bindings)
        {
            var role = FindRole(binding);
            if (role is null)
            {
                // system: roles are Kubernetes bootstrap policy, present in every cluster though rarely in manifests.
                if (!binding.RoleName.StartsWith("system:", StringComparison.Ordinal)) MissingRoles.Add(binding);
                continue;
            }
            foreach (var subject in binding.Subjects)
            {
                if (subject.Kind == "ServiceAccount" && subject.Name != "default"
                    && namespacesWithAccounts.Contains(subject.Namespace!) && !_serviceAccounts.ContainsKey($"{subject.Namespace}/{subject.Name}"))
                    MissingServiceAccounts.Add((binding, subject));
                foreach (var rule in role.Rules)
                    Add(new Grant(subject, binding.IsClusterBinding ? null : binding.Namespace, rule, role, binding));
            }
        }
    }

    public ManifestSet Manifests { get; }
    /// <summary>Bindings whose Role or ClusterRole is neither in the input nor a Kubernetes built-in.</summary>
    public List<RbacBinding> MissingRoles { get; } = [];
    /// <summary>Service-account subjects that do not exist in a namespace whose ServiceAccounts the input lists.</summary>
    public List<(RbacBinding Binding, RbacSubject Subject)> MissingServiceAccounts { get; } = [];

    /// <summary>Every subject named by a binding, in ordinal key order.</summary>
    public IEnumerable<RbacSubject> Subjects => _direct.Keys.Order(StringComparer.Ordinal).Select(k => _direct[k][0].Subject);

    public ServiceAccountObject? ServiceAccount(string nsName) => _serviceAccounts.GetValueOrDefault(nsName);

    /// <summary>Grants bound to the subject directly.</summary>
    public IReadOnlyList<Grant> DirectGrants(RbacSubject subject) => _direct.TryGetValue(subject.Key, out var g) ? g : [];

    /// <summary>Direct grants plus those of the groups the subject belongs to implicitly.</summary>
    public IReadOnlyList<Grant> EffectiveGrants(RbacSubject subject)
    {
        lock (_effective)
        {
            if (_effective.TryGetValue(subject.Key, out var cached)) return cached;
        }
        var result = new List<Grant>(DirectGrants(subject));
        foreach (var group in ImplicitGroups(subject))
            result.AddRange(DirectGrants(new RbacSubject("Group", group, null)).Select(g => g with { Subject = subject, ViaGroup = group }));
        lock (_effective) _effective[subject.Key] = result;
        return result;
    }

    /// <summary>Groups Kubernetes adds to a subject's identity without any binding.</summary>
    public static IEnumerable<string> ImplicitGroups(RbacSubject subject) => subject.Kind switch
    {
        "ServiceAccount" => ["system:authenticated", "system:serviceaccounts", $"system:serviceaccounts:{subject.Namespace}"],
        "User" when subject.Name == "system:anonymous" => ["system:unauthenticated"],
        "User" => ["system:authenticated"],
        _ => [],
    };

    private void Add(Grant grant)
    {
        if (!_direct.TryGetValue(grant.Subject.Key, out var list)) _direct[grant.Subject.Key] = list = [];
        list.Add(grant);
    }

    private RbacRole? FindRole(RbacBinding b) =>
        _roles.GetValueOrDefault(RoleKey(b.RoleKind, b.RoleKind == "Role" ? b.Namespace : null, b.RoleName))
        ?? (b.RoleKind == "ClusterRole" ? BuiltinRoles.Find(b.RoleName) : null);

    private static string RoleKey(string kind, string? ns, string name) => $"{kind}/{ns}/{name}";

    // The aggregation controller unions the rules of every ClusterRole whose labels match a selector; repeated
    // until nothing changes, so aggregation is transitive. Cycles are cut by the visited set.
    private static RbacRole Aggregate(RbacRole root, IReadOnlyList<RbacRole> all)
    {
        var rules = new List<PolicyRule>(root.Rules);
        var visited = new HashSet<string>(StringComparer.Ordinal) { root.Name };
        var queue = new Queue<RbacRole>([root]);
        while (queue.Count > 0)
        {
            var current = queue.Dequeue();
            foreach (var candidate in all)
            {
                if (!candidate.IsClusterRole || visited.Contains(candidate.Name)) continue;
                if (!current.AggregationSelectors.Any(s => s.Matches(candidate.Labels))) continue;
                visited.Add(candidate.Name);
                rules.AddRange(candidate.Rules);
                queue.Enqueue(candidate);
            }
        }
        return root with { Rules = rules };
    }
}
