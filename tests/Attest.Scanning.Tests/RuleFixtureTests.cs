namespace Attest.Scanning.Tests;

/// <summary>Each rule fires on its risky fixture (modelled on a kubescape or Polaris case) and stays silent on the safe one.</summary>
public sealed class RuleFixtureTests
{
    public static TheoryData<string> RuleIds()
    {
        var data = new TheoryData<string>();
        for (var i = 1; i <= 22; i++) data.Add(i.ToString("000", System.Globalization.CultureInfo.InvariantCulture));
        return data;
    }

    [Theory]
    [MemberData(nameof(RuleIds))]
    public void Rule_fires_on_risky_fixture(string id)
    {
        var report = TestFiles.Scan($"rules/att-k8s-{id}.risky.yaml");
        var finding = Assert.Single(report.Findings, f => f.RuleId == $"ATT-K8S-{id}");
        Assert.EndsWith($"att-k8s-{id}.risky.yaml", finding.Location.File, StringComparison.Ordinal);
        Assert.True(finding.Location.Line > 1);
        Assert.NotEmpty(finding.Rule.Controls);
    }

    [Theory]
    [MemberData(nameof(RuleIds))]
    public void Rule_is_silent_on_safe_fixture(string id)
    {
        var report = TestFiles.Scan($"rules/att-k8s-{id}.safe.yaml");
        Assert.DoesNotContain(report.Findings, f => f.RuleId == $"ATT-K8S-{id}");
    }

    [Fact]
    public void Every_rule_has_text_soc2_mapping_and_unique_id()
    {
        Assert.Equal(26, Rules.RuleCatalog.All.Count);
        Assert.Equal(Rules.RuleCatalog.All.Count, Rules.RuleCatalog.All.Select(r => r.Id).Distinct().Count());
        foreach (var r in Rules.RuleCatalog.All)
        {
            Assert.Matches("^ATT-K8S-[0-9]{3}$", r.Id);
            Assert.All(r.Controls, c => Assert.Contains(c, new[] { "CC6.1", "CC6.2", "CC6.3" }));
            Assert.False(string.IsNullOrWhiteSpace(r.Remediation));
        }
        Assert.Contains("LLM06:2025", Rules.RuleCatalog.Get("ATT-K8S-024").Owasp);
        Assert.Contains("ASI03", Rules.RuleCatalog.Get("ATT-K8S-023").Owasp);
    }

    [Fact]
    public void Cluster_admin_is_reported_once_not_as_every_capability()
    {
        var report = TestFiles.Scan("rules/att-k8s-002.risky.yaml");
        Assert.DoesNotContain(report.Findings, f => f.RuleId is "ATT-K8S-001" or "ATT-K8S-003" or "ATT-K8S-004");
        Assert.Equal(Rules.Severity.Critical, report.Findings.Single(f => f.RuleId == "ATT-K8S-002").Severity);
    }

    [Fact]
    public void Named_secret_reads_are_least_privilege()
    {
        var report = TestFiles.Scan("rules/att-k8s-003.safe.yaml");
        Assert.DoesNotContain(report.Findings, f => f.RuleId != "ATT-K8S-019");
    }
}
