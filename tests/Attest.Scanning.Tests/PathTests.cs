using Attest.Scanning.Rules;

namespace Attest.Scanning.Tests;

public sealed class PathTests
{
    [Fact]
    public void Create_pods_then_mint_token_reaches_cluster_admin_in_three_hops()
    {
        var report = TestFiles.Scan("paths/three-hops.yaml");
        var path = Assert.Single(report.Findings, f => f.RuleId == "ATT-K8S-023" && f.Subject == "User alice" && f.Severity == Severity.Critical);
        Assert.Equal(3, path.Hops.Count);
        Assert.Equal("ServiceAccount build/ci", path.Hops[0].To);
        Assert.Contains("create a pod in namespace build", path.Hops[0].Action, StringComparison.Ordinal);
        Assert.Equal("ServiceAccount prod/admin", path.Hops[1].To);
        Assert.Contains("mint a token", path.Hops[1].Action, StringComparison.Ordinal);
        Assert.Equal([14, 29, 40], path.Hops.Select(h => h.Location.Line));
        Assert.Equal(path.Hops[0].Location, path.Location);
    }

    [Fact]
    public void Exec_into_a_pod_and_reading_a_token_secret_are_hops()
    {
        var report = TestFiles.Scan("paths/exec-and-secret.yaml");
        var paths = report.Findings.Where(f => f.RuleId == "ATT-K8S-023" && f.Subject == "ServiceAccount ops/debugger").ToList();
        Assert.Contains(paths, p => p.Hops[0].Action.StartsWith("exec into StatefulSet data/etl", StringComparison.Ordinal) && p.Hops[0].To == "ServiceAccount data/etl");
        Assert.Contains(paths, p => p.Hops[0].Action.StartsWith("read token Secret vault/keeper-token", StringComparison.Ordinal)
            && p.Hops.Count == 3 && p.Severity == Severity.Critical);
    }

    [Fact]
    public void No_path_when_reachable_accounts_are_not_more_powerful()
    {
        var report = TestFiles.Scan("paths/safe.yaml");
        Assert.DoesNotContain(report.Findings, f => f.RuleId == "ATT-K8S-023");
        Assert.Contains(report.Findings, f => f.RuleId == "ATT-K8S-007");
    }

    [Fact]
    public void Exec_hop_needs_a_mounted_token()
    {
        var yaml = File.ReadAllText(Path.Combine(TestFiles.Fixtures, "paths/exec-and-secret.yaml"))
            .Replace("\"serviceAccountName\": \"etl\",", "\"serviceAccountName\": \"etl\", \"automountServiceAccountToken\": false,", StringComparison.Ordinal);
        var report = TestFiles.ScanText(yaml);
        Assert.DoesNotContain(report.Findings, f => f.RuleId == "ATT-K8S-023" && f.Hops[0].Action.StartsWith("exec into", StringComparison.Ordinal));
    }
}
