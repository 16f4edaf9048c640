using Attest.Core.Config;

namespace Attest.Core.Tests.Config;

/// <summary>
/// Every file in Fixtures/broken states the errors it must produce in <c># expect: line:col: message</c>
/// comments; the loader must report exactly those, each with file:line:column.
/// </summary>
public class BrokenFixtureTests
{
    public static TheoryData<string> Fixtures()
    {
        var d = new TheoryData<string>();
        foreach (var f in Directory.GetFiles(RepoPaths.Of("tests", "Attest.Core.Tests", "Fixtures", "broken"), "*.yaml").Order(StringComparer.Ordinal))
            d.Add(Path.GetFileName(f));
        return d;
    }

    [Fact]
    public void There_are_at_least_twelve_broken_fixtures() => Assert.True(Fixtures().Count >= 12);

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Broken_fixture_reports_exactly_the_expected_errors(string name)
    {
        var text = File.ReadAllText(RepoPaths.Of("tests", "Attest.Core.Tests", "Fixtures", "broken", name));
        var expected = ExpectedErrors(text).Select(e => $"{name}:{e}").ToList();
        Assert.NotEmpty(expected);
        var actual = ConfigLoader.Validate(ConfigLoader.Read(text, name)).Select(e => e.ToString()).ToList();
        Assert.Equal(expected, actual);
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Broken_fixture_fails_to_load_from_file_with_every_error(string name)
    {
        var path = RepoPaths.Of("tests", "Attest.Core.Tests", "Fixtures", "broken", name);
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.LoadFile(path));
        Assert.Equal(ExpectedErrors(File.ReadAllText(path)).Count, e.Errors.Count);
        Assert.All(e.Errors, err => Assert.StartsWith($"{path}:", err.ToString(), StringComparison.Ordinal));
    }

    /// <summary>The <c># expect:</c> lines, in file order (which is position order).</summary>
    public static IReadOnlyList<string> ExpectedErrors(string text) =>
        [.. text.Split('\n').Where(l => l.StartsWith("# expect: ", StringComparison.Ordinal)).Select(l => l["# expect: ".Length..].TrimEnd('\r'))];
}
