using Attest.Evidence.Catalog;

namespace Attest.Evidence.Tests;

public class CatalogTests
{
    [Fact]
    public void Every_control_names_an_automated_test_the_engine_runs()
    {
        var tests = EvidenceEngine.CreateTests().Select(t => t.Id).Append("evidence-fresh").ToHashSet();
        Assert.All(ControlCatalog.Default.Controls, c => Assert.Contains(c.Test, tests));
    }

    [Fact]
    public void Every_mapping_points_at_a_known_criterion()
    {
        var known = ControlCatalog.Default.Criteria.Select(c => c.Id).ToHashSet();
        Assert.All(ControlCatalog.Default.Controls.SelectMany(c => c.AllMappings), m => Assert.Contains(m, known));
    }

    [Theory]
    [InlineData("CC1.1")] [InlineData("CC9.2")] [InlineData("A1.3")] [InlineData("C1.2")] [InlineData("PI1.5")] [InlineData("P8.1")]
    [InlineData("LLM01:2025")] [InlineData("LLM10:2025")] [InlineData("ASI01")] [InlineData("ASI10")] [InlineData("GOVERN 1.6")]
    public void Criteria_ranges_are_complete(string id) => Assert.Contains(ControlCatalog.Default.Criteria, c => c.Id == id);

    [Theory]
    [InlineData("CC3.4")] [InlineData("CC4.1")] [InlineData("CC5.2")] [InlineData("CC6.1")] [InlineData("CC6.2")] [InlineData("CC6.3")]
    [InlineData("CC6.7")] [InlineData("CC7.2")] [InlineData("CC7.3")] [InlineData("CC7.4")] [InlineData("CC8.1")] [InlineData("CC9.2")]
    [InlineData("C1.1")] [InlineData("PI1.4")] [InlineData("P4.3")]
    public void Criteria_named_by_our_users_are_covered_by_a_control(string id) =>
        Assert.NotEmpty(ControlCatalog.Default.ControlsFor(id));
}
