using Attest.Scanning.Analysis;
using Attest.Scanning.Model;
using Attest.Scanning.Reading;

namespace Attest.Scanning.Tests;

public sealed class ReaderTests
{
    [Fact]
    public void Json_List_from_stdin_keeps_line_numbers()
    {
        var json = File.ReadAllText(Path.Combine(TestFiles.Fixtures, "paths/exec-and-secret.yaml"));
        var sources = K8sSource.FromPaths(["-"], new StringReader(json));
        var set = ManifestReader.Read(sources);
        Assert.Equal(3, set.ServiceAccounts.Count);
        Assert.Single(set.TokenSecrets);
        Assert.Single(set.Workloads);
        var binding = set.Bindings.Single(b => b.Name == "debug-data");
        Assert.Equal(new SourceLocation(K8sSource.StdinName, 13, 3), binding.Location);
    }

    [Fact]
    public void Bad_yaml_names_file_line_and_column()
    {
        var e = Assert.Throws<ManifestException>(() => TestFiles.ScanText("kind: Role\nmetadata:\n  name: [unclosed\n", "broken.yaml"));
        Assert.StartsWith("broken.yaml:", e.Message, StringComparison.Ordinal);
        Assert.Equal("broken.yaml", e.Location.File);
        Assert.True(e.Location.Line >= 3);
    }

    [Fact]
    public void Malformed_object_names_the_offending_node()
    {
        var e = Assert.Throws<ManifestException>(() => TestFiles.ScanText("kind: RoleBinding\nmetadata:\n  name: b\nroleRef:\n  kind: Secret\n  name: x\n", "b.yaml"));
        Assert.Equal("b.yaml:5:3: roleRef kind must be Role or ClusterRole, not 'Secret'", e.Message);
    }

    [Fact]
    public void Workload_kinds_yield_service_account_and_automount()
    {
        const string yaml = """
            apiVersion: batch/v1
            kind: CronJob
            metadata: {name: nightly, namespace: jobs}
            spec:
              schedule: "@daily"
              jobTemplate:
                spec:
                  template:
                    metadata: {annotations: {attest.dev/agent: night-bot}}
                    spec: {serviceAccountName: runner, automountServiceAccountToken: false, containers: []}
            ---
            apiVersion: apps/v1
            kind: DaemonSet
            metadata: {name: agent, namespace: kube-system}
            spec: {template: {spec: {containers: []}}}
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: ignored}
            """;
        var set = ManifestReader.Read([new K8sSource("w.yaml", yaml)]);
        Assert.Equal(1, set.IgnoredObjects);
        var cron = set.Workloads.Single(w => w.Kind == "CronJob");
        Assert.Equal(("jobs/runner", false, "night-bot"), (cron.ServiceAccountKey, cron.AutomountToken!.Value, cron.Annotations["attest.dev/agent"]));
        var ds = set.Workloads.Single(w => w.Kind == "DaemonSet");
        Assert.Equal(("kube-system/default", (bool?)null), (ds.ServiceAccountKey, ds.AutomountToken));
    }

    [Fact]
    public void Aggregated_cluster_role_unions_matching_roles_transitively()
    {
        const string yaml = """
            kind: ClusterRole
            metadata: {name: top}
            aggregationRule: {clusterRoleSelectors: [{matchLabels: {agg: top}}]}
            ---
            kind: ClusterRole
            metadata: {name: middle, labels: {agg: top}}
            aggregationRule: {clusterRoleSelectors: [{matchExpressions: [{key: agg, operator: In, values: [middle]}]}]}
            rules: [{apiGroups: [""], resources: [configmaps], verbs: [get]}]
            ---
            kind: ClusterRole
            metadata: {name: leaf, labels: {agg: middle}}
            rules: [{apiGroups: [""], resources: [secrets], verbs: [list]}]
            ---
            kind: ClusterRoleBinding
            metadata: {name: top}
            subjects: [{kind: User, name: "system:serviceaccount:team:bot"}]
            roleRef: {kind: ClusterRole, name: top}
            """;
        var graph = new RbacGraph(ManifestReader.Read([new K8sSource("a.yaml", yaml)]));
        var subject = Assert.Single(graph.Subjects);
        Assert.Equal("ServiceAccount team/bot", subject.Key);
        var rules = graph.DirectGrants(subject).Select(g => g.Rule.ToString()).ToList();
        Assert.Equal(["get configmaps [core]", "list secrets [core]"], rules);
    }

    [Fact]
    public void Group_grants_reach_service_accounts_and_anonymous()
    {
        const string yaml = """
            kind: ClusterRoleBinding
            metadata: {name: all-sa}
            subjects: [{kind: Group, name: "system:serviceaccounts:team"}, {kind: Group, name: "system:unauthenticated"}]
            roleRef: {kind: ClusterRole, name: view}
            """;
        var graph = new RbacGraph(ManifestReader.Read([new K8sSource("g.yaml", yaml)]));
        Assert.NotEmpty(graph.EffectiveGrants(new RbacSubject("ServiceAccount", "x", "team")));
        Assert.Empty(graph.EffectiveGrants(new RbacSubject("ServiceAccount", "x", "other")));
        Assert.NotEmpty(graph.EffectiveGrants(new RbacSubject("User", "system:anonymous", null)));
        var report = K8sScanner.Scan([new K8sSource("g.yaml", yaml)]);
        Assert.Contains(report.Findings, f => f.RuleId == "ATT-K8S-020" && f.Severity == Rules.Severity.Critical);
    }

    [Fact]
    public void Directories_are_walked_in_ordinal_order()
    {
        var sources = K8sSource.FromPaths([Path.Combine(TestFiles.Fixtures, "paths")]);
        Assert.Equal(["exec-and-secret.yaml", "safe.yaml", "three-hops.yaml"], sources.Select(s => Path.GetFileName(s.Name)));
        Assert.Throws<FileNotFoundException>(() => K8sSource.FromPaths(["/no/such/path.yaml"]));
    }
}
