using Attest.Cli.Commands;
using Attest.Scanning.Output;
using NJsonSchema;

namespace Attest.Scanning.Tests;

public sealed class OutputTests
{
    private static IReadOnlyList<K8sSource> All() =>
        K8sSource.FromPaths([Path.Combine(TestFiles.Fixtures, "paths"), Path.Combine(TestFiles.RepoRoot, "samples", "k8s"), Path.Combine(TestFiles.Fixtures, "rules")]);

    [Fact]
    public void Same_input_gives_byte_identical_output_in_every_format()
    {
        var a = K8sScanner.Scan(All());
        var b = K8sScanner.Scan(All());
        Assert.Equal(JsonReportWriter.Write(a), JsonReportWriter.Write(b));
        Assert.Equal(SarifWriter.Write(a), SarifWriter.Write(b));
        Assert.Equal(TableWriter.Write(a), TableWriter.Write(b));
    }

    [Fact]
    public void Shuffled_input_order_gives_the_same_output()
    {
        var sources = All().ToList();
        var expected = JsonReportWriter.Write(K8sScanner.Scan(sources));
        var random = new Random(20261121);
        for (var i = 0; i < 5; i++)
        {
            var shuffled = sources.OrderBy(_ => random.Next()).ToList();
            Assert.Equal(expected, JsonReportWriter.Write(K8sScanner.Scan(shuffled)));
        }
    }

    [Fact]
    public async Task Sarif_is_valid_against_the_2_1_0_schema_and_points_at_lines()
    {
        var schemaPath = TestFiles.SharedSchema("sarif-schema-2.1.0.json");
        var schema = await JsonSchema.FromFileAsync(schemaPath);
        var report = K8sScanner.Scan(All());
        var sarif = SarifWriter.Write(report);
        Assert.Empty(schema.Validate(sarif));
        // The validator is live: a level SARIF does not define is rejected.
        Assert.NotEmpty(schema.Validate(sarif.Replace("\"level\": \"error\"", "\"level\": \"severe\"", StringComparison.Ordinal)));
        using var doc = System.Text.Json.JsonDocument.Parse(sarif);
        var results = doc.RootElement.GetProperty("runs")[0].GetProperty("results");
        Assert.Equal(report.Findings.Count, results.GetArrayLength());
        var first = results[0].GetProperty("locations")[0].GetProperty("physicalLocation");
        Assert.Equal(report.Findings[0].Location.Line, first.GetProperty("region").GetProperty("startLine").GetInt32());
        Assert.DoesNotContain("\r", sarif, StringComparison.Ordinal);
    }

    [Fact]
    public void Cli_exit_codes_follow_fail_on()
    {
        var sample = Path.Combine(TestFiles.RepoRoot, "samples", "k8s");
        using var sink = new StringWriter();
        Assert.Equal(ExitCodes.Ok, ScanK8sCommand.Run([sample], false, false, null, null, stdout: sink));
        Assert.Equal(ExitCodes.Failure, ScanK8sCommand.Run([sample], true, false, "critical", null, stdout: sink));
        var safe = Path.Combine(TestFiles.Fixtures, "rules", "att-k8s-016.safe.yaml");
        Assert.Equal(ExitCodes.Ok, ScanK8sCommand.Run([safe], false, true, "medium", null, stdout: sink));
        Assert.Equal(ExitCodes.Usage, ScanK8sCommand.Run([sample], false, false, "severe", null, stdout: sink));
        Assert.Equal(ExitCodes.Usage, ScanK8sCommand.Run([sample], true, true, null, null, stdout: sink));
        Assert.Equal(ExitCodes.Usage, ScanK8sCommand.Run(["/no/such.yaml"], false, false, null, null, stdout: sink));
    }

    [Fact]
    public void Cli_reads_stdin_and_reports_bad_yaml_as_usage_error()
    {
        using var sink = new StringWriter();
        var code = ScanK8sCommand.Run(["-"], true, false, null, null, new StringReader("kind: Role\nmetadata: {name: x\n"), sink);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Equal("", sink.ToString());
        using var ok = new StringWriter();
        var yaml = File.ReadAllText(Path.Combine(TestFiles.Fixtures, "rules", "att-k8s-004.risky.yaml"));
        Assert.Equal(ExitCodes.Failure, ScanK8sCommand.Run(["-"], true, false, "high", null, new StringReader(yaml), ok));
        Assert.Contains("\"file\": \"<stdin>\"", ok.ToString(), StringComparison.Ordinal);
    }
}
