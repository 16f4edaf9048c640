using Attest.Core.Config;
using Attest.Scanning.Agents;

namespace Attest.Scanning.Tests;

public sealed class AgentTests
{
    private static IReadOnlyList<K8sSource> Samples => K8sSource.FromPaths([Path.Combine(TestFiles.RepoRoot, "samples", "k8s")]);

    [Fact]
    public void Annotations_map_accounts_and_declare_permissions()
    {
        var report = K8sScanner.Scan(Samples);
        Assert.Equal(["billing-bot", "research-bot", "support-bot"], report.Agents.Select(a => a.Id));
        var excess = report.Findings.Where(f => f.RuleId == "ATT-K8S-024" && f.Agent == "support-bot").ToList();
        Assert.Contains(excess, f => f.Message.Contains("get secrets, list secrets in namespace agents", StringComparison.Ordinal));
        Assert.Contains(excess, f => f.Message.Contains("list pods", StringComparison.Ordinal));
        Assert.DoesNotContain(excess, f => f.Message.Contains("configmaps", StringComparison.Ordinal));
    }

    [Fact]
    public void Workload_under_another_agents_account_is_flagged()
    {
        var report = K8sScanner.Scan(Samples);
        var foreign = Assert.Single(report.Findings, f => f.RuleId == "ATT-K8S-025");
        Assert.Equal("CronJob agents/billing-report", foreign.Subject);
        Assert.Equal("billing-bot", foreign.Agent);
        Assert.Contains("agent research-bot's ServiceAccount", foreign.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Config_declarations_win_and_conflicting_mappings_are_flagged()
    {
        var policy = PolicySources.FromFile(Path.Combine(TestFiles.Fixtures, "agents", "attest.yaml")).Current;
        var report = K8sScanner.Scan(Samples, policy);
        // support-bot now declares secrets and pods reads: no excess for its rules.
        Assert.DoesNotContain(report.Findings, f => f.RuleId == "ATT-K8S-024" && f.Agent == "support-bot" && f.Message.Contains("secrets", StringComparison.Ordinal));
        var conflict = Assert.Single(report.Findings, f => f.RuleId == "ATT-K8S-026");
        Assert.Contains("assigned to agent support-bot and to agent billing-bot", conflict.Message, StringComparison.Ordinal);
        // research-bot declares exactly what its role grants in its namespace; only the system:authenticated node read is excess.
        var research = report.Findings.Where(f => f.RuleId == "ATT-K8S-024" && f.Agent == "research-bot").ToList();
        Assert.All(research, f => Assert.Contains("nodes", f.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void Agent_without_declaration_holds_only_excess()
    {
        const string yaml = """
            apiVersion: v1
            kind: ServiceAccount
            metadata: {name: bot, namespace: ns, annotations: {attest.dev/agent: quiet-bot}}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {name: bot, namespace: ns}
            subjects: [{kind: ServiceAccount, name: bot, namespace: ns}]
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
            """;
        var report = TestFiles.ScanText(yaml);
        var f = Assert.Single(report.Findings, f => f.RuleId == "ATT-K8S-024");
        Assert.Contains("declares no Kubernetes permissions", f.Message, StringComparison.Ordinal);
        Assert.Equal(5, f.Location.Line);
    }

    [Theory]
    [InlineData("get,list pods in ns-x", "list", "", "pods", "ns-x", true)]
    [InlineData("get,list pods in ns-x", "list", "", "pods", "ns-y", false)]
    [InlineData("get configmaps", "get", "", "configmaps", "home", true)]
    [InlineData("get configmaps", "get", "", "configmaps", null, false)]
    [InlineData("watch deployments.apps in *", "watch", "apps", "deployments", null, true)]
    [InlineData("watch deployments.apps in *", "watch", "extensions", "deployments", "home", false)]
    [InlineData("get pods/log", "get", "", "pods/log", "home", true)]
    [InlineData("get pods/log", "get", "", "pods", "home", false)]
    public void Declared_permissions_cover_exactly_what_they_say(string text, string verb, string group, string resource, string? scope, bool covered)
    {
        var p = DeclaredPermission.Parse(text, out var error);
        Assert.Null(error);
        Assert.Equal(covered, p!.Covers(verb, group, resource, scope, "home"));
    }

    [Theory]
    [InlineData("get")]
    [InlineData("get pods at ns")]
    [InlineData("get pods in")]
    public void Malformed_declarations_are_rejected(string text)
    {
        Assert.Null(DeclaredPermission.Parse(text, out var error));
        Assert.NotNull(error);
    }
}
