namespace Attest.Cli.Tests.Config;

[Collection("attest-cli-console")]
public class ConfigValidateCliTests
{
    private static string BrokenDir => Path.Combine(CliRunner.RepoRoot, "tests", "Attest.Core.Tests", "Fixtures", "broken");

    public static TheoryData<string> Broken()
    {
        var d = new TheoryData<string>();
        foreach (var f in Directory.GetFiles(BrokenDir, "*.yaml").Order(StringComparer.Ordinal)) d.Add(Path.GetFileName(f));
        return d;
    }

    [Theory]
    [MemberData(nameof(Broken))]
    public async Task Validate_broken_fixture_exits_1_with_every_error_as_file_line_column(string name)
    {
        var path = Path.Combine(BrokenDir, name);
        var expected = File.ReadAllLines(path).Where(l => l.StartsWith("# expect: ", StringComparison.Ordinal))
            .Select(l => $"{path}:{l["# expect: ".Length..]}").ToList();
        var r = await CliRunner.RunAsync("config", "validate", path);
        Assert.Equal(1, r.ExitCode);
        Assert.Equal([.. expected, $"attest: {path}: {expected.Count} error{(expected.Count == 1 ? "" : "s")}"], r.ErrLines);
        Assert.Equal("", r.Out);
    }

    [Fact]
    public async Task Validate_sample_exits_0()
    {
        var path = Path.Combine(CliRunner.RepoRoot, "samples", "attest.yaml");
        var r = await CliRunner.RunAsync("config", "validate", path);
        Assert.Equal(0, r.ExitCode);
        Assert.StartsWith($"{path}: valid (version ", r.Out, StringComparison.Ordinal);
        Assert.Equal("", r.Err);
    }

    [Fact]
    public async Task Validate_uses_the_config_option_and_reports_a_missing_file()
    {
        var missing = Path.Combine(Path.GetTempPath(), "attest-missing-" + Guid.NewGuid().ToString("n") + ".yaml");
        var r = await CliRunner.RunAsync("config", "validate", "--config", missing);
        Assert.Equal(1, r.ExitCode);
        Assert.Equal([$"attest: {missing}: no such file"], r.ErrLines);
    }

    [Fact]
    public async Task Unknown_verb_is_a_usage_error()
    {
        var r = await CliRunner.RunAsync("config", "validat");
        Assert.Equal(2, r.ExitCode);
    }
}
