using Attest.Scanning.Model;

namespace Attest.Scanning.Analysis;

/// <summary>
/// The user-facing ClusterRoles every cluster has (cluster-admin, admin, edit, view), used when a binding names one
/// that the input does not define. Rules are a faithful subset of the Kubernetes bootstrap policy: the parts that
/// matter for privilege (exec, secrets, workload creation, role bindings).
/// </summary>
internal static class BuiltinRoles
{
    public const string FilePrefix = "kubernetes-builtin:";

    private static readonly string[] Workloads = ["pods", "deployments", "statefulsets", "daemonsets", "replicasets", "jobs", "cronjobs", "replicationcontrollers"];
    private static readonly string[] WorkloadGroups = ["", "apps", "batch"];
    private static readonly string[] Write = ["create", "delete", "deletecollection", "patch", "update"];
    private static readonly string[] Read = ["get", "list", "watch"];

    public static RbacRole? Find(string name) => name switch
    {
        "cluster-admin" => Role(name, R(["*"], ["*"], ["*"]), new PolicyRule([], [], ["*"], [], ["*"], At(name, 2))),
        "admin" => Role(name, Edit(name).Append(R(["rbac.authorization.k8s.io"], ["roles", "rolebindings"], [.. Read, .. Write], name, 9)).ToArray()),
        "edit" => Role(name, Edit(name)),
        "view" => Role(name, R(["", "apps", "batch"], ["pods", "services", "configmaps", "deployments", "jobs", "events"], Read, name, 1)),
        _ => null,
    };

    private static PolicyRule[] Edit(string name) =>
    [
        R(WorkloadGroups, Workloads, [.. Read, .. Write], name, 1),
        R([""], ["pods/exec", "pods/attach", "pods/portforward"], ["create", "get"], name, 2),
        R([""], ["secrets", "configmaps", "serviceaccounts", "services"], [.. Read, .. Write], name, 3),
        R([""], ["serviceaccounts"], ["impersonate"], name, 4),
        R([""], ["serviceaccounts/token"], ["create"], name, 5),
    ];

    private static PolicyRule R(string[] groups, string[] resources, string[] verbs, string role = "cluster-admin", int n = 1) =>
        new(groups, resources, verbs, [], [], At(role, n));

    private static SourceLocation At(string role, int n) => new($"{FilePrefix}clusterrole/{role}", n, 1);

    private static RbacRole Role(string name, params PolicyRule[] rules) =>
        new("ClusterRole", name, null, rules, [], YamlEmpty, new SourceLocation($"{FilePrefix}clusterrole/{name}", 1, 1));

    private static readonly IReadOnlyDictionary<string, string> YamlEmpty = new Dictionary<string, string>();
}
