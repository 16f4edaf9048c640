using Attest.Scanning.Model;

namespace Attest.Scanning.Reading;

/// <summary>Turns one Kubernetes object mapping into the typed model. Unknown kinds are counted and skipped.</summary>
internal static class ObjectReaders
{
    public static void Read(string kind, YMap map, string file, ManifestSet set)
    {
        var meta = map.Map("metadata", file);
        var at = map.At(file);
        var name = meta?.Str("name", file);
        if (name is null && kind is not ("Pod" or "Deployment" or "StatefulSet" or "DaemonSet" or "ReplicaSet"
                or "ReplicationController" or "Job" or "CronJob" or "ServiceAccount" or "Role" or "ClusterRole"
                or "RoleBinding" or "ClusterRoleBinding" or "Secret"))
        {
            set.IgnoredObjects++;
            return;
        }
        if (name is null) throw new ManifestException(at, $"{kind} without metadata.name");
        var ns = meta!.Str("namespace", file) ?? "default";
        var labels = meta.StringMap("labels", file);
        var annotations = meta.StringMap("annotations", file);
        switch (kind)
        {
            case "ServiceAccount":
                set.ServiceAccounts.Add(new ServiceAccountObject(name, ns, map.Bool("automountServiceAccountToken", file), annotations, at));
                break;
            case "Role" or "ClusterRole":
                set.Roles.Add(ReadRole(kind, name, kind == "Role" ? ns : null, map, labels, file, at));
                break;
            case "RoleBinding" or "ClusterRoleBinding":
                set.Bindings.Add(ReadBinding(kind, name, kind == "RoleBinding" ? ns : null, map, file, at));
                break;
            case "Secret":
                if (map.Str("type", file) == "kubernetes.io/service-account-token"
                    && annotations.TryGetValue("kubernetes.io/service-account.name", out var sa))
                    set.TokenSecrets.Add(new TokenSecretObject(name, ns, sa, at));
                else set.IgnoredObjects++;
                break;
            default:
                var workload = WorkloadReader.Read(kind, name, ns, annotations, map, file, at);
                if (workload is null) set.IgnoredObjects++;
                else set.Workloads.Add(workload);
                break;
        }
    }

    private static RbacRole ReadRole(string kind, string name, string? ns, YMap map,
        IReadOnlyDictionary<string, string> labels, string file, SourceLocation at)
    {
        var rules = new List<PolicyRule>();
        foreach (var item in map.Seq("rules", file)?.Children ?? [])
        {
            if (item is not YMap r) throw new ManifestException(item.At(file), "each entry of 'rules' must be a mapping");
            var rule = new PolicyRule(r.Strings("apiGroups", file), r.Strings("resources", file), r.Strings("verbs", file),
                r.Strings("resourceNames", file), r.Strings("nonResourceURLs", file), item.At(file));
            if (rule.Verbs.Count == 0) throw new ManifestException(item.At(file), "policy rule without 'verbs'");
            rules.Add(rule);
        }
        var selectors = new List<LabelSelector>();
        var aggregation = map.Map("aggregationRule", file);
        foreach (var item in aggregation?.Seq("clusterRoleSelectors", file)?.Children ?? [])
        {
            if (item is not YMap s) throw new ManifestException(item.At(file), "clusterRoleSelectors entries must be mappings");
            selectors.Add(ReadSelector(s, file));
        }
        return new RbacRole(kind, name, ns, rules, selectors, labels, at);
    }

    private static LabelSelector ReadSelector(YMap s, string file)
    {
        var expressions = new List<(string, string, IReadOnlyList<string>)>();
        foreach (var item in s.Seq("matchExpressions", file)?.Children ?? [])
        {
            if (item is not YMap e) throw new ManifestException(item.At(file), "matchExpressions entries must be mappings");
            var key = e.Str("key", file) ?? throw new ManifestException(item.At(file), "matchExpressions entry without 'key'");
            var op = e.Str("operator", file) ?? throw new ManifestException(item.At(file), "matchExpressions entry without 'operator'");
            if (op is not ("In" or "NotIn" or "Exists" or "DoesNotExist"))
                throw new ManifestException(item.At(file), $"unknown selector operator '{op}'");
            expressions.Add((key, op, e.Strings("values", file)));
        }
        return new LabelSelector(s.StringMap("matchLabels", file), expressions);
    }

    private static RbacBinding ReadBinding(string kind, string name, string? ns, YMap map, string file, SourceLocation at)
    {
        var roleRef = map.Map("roleRef", file) ?? throw new ManifestException(at, $"{kind} {name} without 'roleRef'");
        var roleKind = roleRef.Str("kind", file) ?? throw new ManifestException(roleRef.At(file), "roleRef without 'kind'");
        var roleName = roleRef.Str("name", file) ?? throw new ManifestException(roleRef.At(file), "roleRef without 'name'");
        if (roleKind is not ("Role" or "ClusterRole"))
            throw new ManifestException(roleRef.At(file), $"roleRef kind must be Role or ClusterRole, not '{roleKind}'");
        if (kind == "ClusterRoleBinding" && roleKind == "Role")
            throw new ManifestException(roleRef.At(file), "a ClusterRoleBinding cannot reference a Role");
        var subjects = new List<RbacSubject>();
        foreach (var item in map.Seq("subjects", file)?.Children ?? [])
        {
            if (item is not YMap s) throw new ManifestException(item.At(file), "each subject must be a mapping");
            var sk = s.Str("kind", file) ?? throw new ManifestException(item.At(file), "subject without 'kind'");
            var sn = s.Str("name", file) ?? throw new ManifestException(item.At(file), "subject without 'name'");
            if (sk is not ("ServiceAccount" or "User" or "Group"))
                throw new ManifestException(item.At(file), $"subject kind must be ServiceAccount, User or Group, not '{sk}'");
            var sns = s.Str("namespace", file) ?? ns;
            if (sk == "ServiceAccount" && sns is null)
                throw new ManifestException(item.At(file), "ServiceAccount subject of a ClusterRoleBinding needs a namespace");
            subjects.Add(RbacSubject.Normalise(sk, sn, sns));
        }
        return new RbacBinding(kind, name, ns, roleKind, roleName, subjects, at);
    }
}
