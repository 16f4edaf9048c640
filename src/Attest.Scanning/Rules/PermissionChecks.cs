using Attest.Scanning.Analysis;
using Attest.Scanning.Model;

namespace Attest.Scanning.Rules;

/// <summary>Rules judged on each grant a subject holds directly (ATT-K8S-001 to -017).</summary>
internal static class PermissionChecks
{
    private sealed record Check(string RuleId, string What, string[] Verbs, string[] Groups, string[] Resources,
        bool IgnoreNamed = false, bool ClusterScopeOnly = false, string? OnlyNamespace = null);

    private static readonly string[] Core = [""];
    private static readonly string[] Rbac = ["rbac.authorization.k8s.io"];
    private static readonly string[] WorkloadGroups = ["", "apps", "batch"];
    private static readonly string[] Workloads = ["pods", "deployments", "statefulsets", "daemonsets", "replicasets", "jobs", "cronjobs", "replicationcontrollers"];
    private static readonly string[] Change = ["create", "update", "patch"];
    private static readonly string[] Delete = ["delete", "deletecollection"];

    private static readonly Check[] Checks =
    [
        new("ATT-K8S-003", "read secrets", ["get", "list", "watch"], Core, ["secrets"], IgnoreNamed: true),
        new("ATT-K8S-004", "exec into or attach to pods", ["create", "get"], Core, ["pods/exec", "pods/attach"]),
        new("ATT-K8S-005", "port-forward to pods", ["create", "get"], Core, ["pods/portforward"]),
        new("ATT-K8S-006", "add ephemeral containers", ["update", "patch"], Core, ["pods/ephemeralcontainers"]),
        new("ATT-K8S-007", "create or change pods/workloads", Change, WorkloadGroups, Workloads),
        new("ATT-K8S-008", "escalate or bind roles", ["escalate", "bind"], Rbac, ["roles", "clusterroles"]),
        new("ATT-K8S-009", "impersonate identities", ["impersonate"], ["", "authentication.k8s.io"], ["users", "groups", "serviceaccounts", "uids", "userextras/scopes"]),
        new("ATT-K8S-010", "mint service-account tokens", ["create"], Core, ["serviceaccounts/token", "secrets"]),
        new("ATT-K8S-011", "use nodes/proxy", ["get", "create", "update", "patch", "delete"], Core, ["nodes/proxy"]),
        new("ATT-K8S-012", "approve certificate signing requests", ["update", "patch", "approve"], ["certificates.k8s.io"], ["certificatesigningrequests/approval", "signers"], ClusterScopeOnly: true),
        new("ATT-K8S-013", "change admission webhooks or policies", [.. Change, "delete"], ["admissionregistration.k8s.io"],
            ["mutatingwebhookconfigurations", "validatingwebhookconfigurations", "validatingadmissionpolicies", "validatingadmissionpolicybindings"], ClusterScopeOnly: true),
        new("ATT-K8S-014", "create PersistentVolumes", ["create"], Core, ["persistentvolumes"], ClusterScopeOnly: true),
        new("ATT-K8S-015", "delete workloads or data broadly", Delete, ["", "apps", "batch"],
            ["pods", "deployments", "statefulsets", "daemonsets", "replicasets", "jobs", "cronjobs", "services", "secrets", "configmaps", "persistentvolumeclaims", "persistentvolumes", "namespaces"], IgnoreNamed: true),
        new("ATT-K8S-016", "delete events", Delete, ["", "events.k8s.io"], ["events"]),
        new("ATT-K8S-017", "change ConfigMaps in kube-system", [.. Change, "delete"], Core, ["configmaps"], OnlyNamespace: "kube-system"),
    ];

    public static void Run(RbacGraph graph, List<Finding> findings)
    {
        var checks = Checks;
        foreach (var subject in graph.Subjects)
        {
            foreach (var grant in graph.DirectGrants(subject))
            {
                if (Builtins.IsBuiltin(grant)) continue;
                if (Permissions.IsFullWildcard(grant.Rule))
                {
                    // cluster-admin's shape is reported once, as -002, not again as each capability it implies.
                    var severity = grant.Scope is null ? Severity.Critical : Severity.High;
                    var what = grant.Scope is null ? "cluster-admin rights (every verb on every resource)" : $"namespace-admin rights in {grant.Scope}";
                    findings.Add(Make("ATT-K8S-002", severity, grant, $"{subject.Key} holds {what} via {grant.Binding.Display} -> {grant.Role.Display}"));
                    continue;
                }
                if (grant.Role.Rules.Any(Permissions.IsFullWildcard)) continue;
                if (HasWildcard(grant.Rule))
                    findings.Add(Make("ATT-K8S-001", Severity.Medium, grant, $"{subject.Key} is granted '{grant.Rule}' {grant.ScopeDisplay} (wildcard) via {grant.Binding.Display} -> {grant.Role.Display}"));
                foreach (var c in checks)
                {
                    if (!VerbsOverlap(grant.Rule, c)) continue;
                    if (c.IgnoreNamed && grant.Rule.ResourceNames.Count > 0) continue;
                    if (c.ClusterScopeOnly && grant.Scope is not null) continue;
                    if (c.OnlyNamespace is not null && grant.Scope is not null && grant.Scope != c.OnlyNamespace) continue;
                    if (!Permissions.AllowsAny(grant.Rule, c.Verbs, c.Groups, c.Resources)) continue;
                    var scope = c.OnlyNamespace is not null ? $"in namespace {c.OnlyNamespace}" : grant.ScopeDisplay;
                    findings.Add(Make(c.RuleId, RuleCatalog.Get(c.RuleId).Severity, grant,
                        $"{subject.Key} can {c.What} {scope} via {grant.Binding.Display} -> {grant.Role.Display} (rule '{grant.Rule}')"));
                }
            }
        }
    }

    /// <summary>True when the rule allows the capability of <paramref name="ruleId"/> (used by escalation paths and agents).</summary>
    public static bool Grants(Grant grant, string ruleId)
    {
        if (Permissions.IsFullWildcard(grant.Rule)) return true;
        foreach (var c in Checks)
        {
            if (c.RuleId != ruleId || !VerbsOverlap(grant.Rule, c)) continue;
            if (c.IgnoreNamed && grant.Rule.ResourceNames.Count > 0) continue;
            if (c.ClusterScopeOnly && grant.Scope is not null) continue;
            if (c.OnlyNamespace is not null && grant.Scope is not null && grant.Scope != c.OnlyNamespace) continue;
            if (Permissions.AllowsAny(grant.Rule, c.Verbs, c.Groups, c.Resources)) return true;
        }
        return false;
    }

    // Cheap rejection before the verb x group x resource product: most rules share no verb with most checks.
    private static bool VerbsOverlap(PolicyRule rule, Check c)
    {
        foreach (var v in rule.Verbs)
            if (v == "*" || Array.IndexOf(c.Verbs, v) >= 0) return true;
        return false;
    }

    private static bool HasWildcard(PolicyRule rule) =>
        rule.Verbs.Contains("*") || rule.Resources.Contains("*") || rule.ApiGroups.Contains("*") || rule.NonResourceUrls.Contains("*");

    internal static Finding Make(string ruleId, Severity severity, Grant grant, string message)
    {
        var related = new List<RelatedLocation>();
        if (grant.PrimaryLocation != grant.Binding.Location)
            related.Add(new RelatedLocation(grant.Binding.Location, $"{grant.Binding.Display} grants {grant.Role.Display}"));
        return new Finding(ruleId, severity, grant.Subject.Key, message, grant.PrimaryLocation, related, []);
    }
}

/// <summary>Kubernetes' own bootstrap bindings, which a posture scan of workloads does not judge.</summary>
internal static class Builtins
{
    public static bool IsBuiltin(Grant grant) =>
        grant.Subject is { Kind: "Group", Name: "system:masters" }
        || grant.Binding.Name.StartsWith("system:", StringComparison.Ordinal) && grant.Role.Name.StartsWith("system:", StringComparison.Ordinal);

    public static bool IsBuiltin(RbacBinding binding) =>
        binding.Name.StartsWith("system:", StringComparison.Ordinal) && binding.RoleName.StartsWith("system:", StringComparison.Ordinal);
}
