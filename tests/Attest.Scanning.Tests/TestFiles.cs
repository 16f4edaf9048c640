namespace Attest.Scanning.Tests;

internal static class TestFiles
{
    public static string Fixtures => Path.Combine(AppContext.BaseDirectory, "Fixtures");

    public static string RepoRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Attest.slnx"))) dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException("Attest.slnx not found above the test folder");
        }
    }

    /// <summary>../shared/schemas/NAME beside the repo root (in a git worktree, beside an ancestor of it).</summary>
    public static string SharedSchema(string name)
    {
        for (var dir = Directory.GetParent(RepoRoot); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "schemas", name);
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException($"shared/schemas/{name} not found beside {RepoRoot} or its ancestors");
    }

    public static ScanReport Scan(params string[] relativeFixtures) =>
        K8sScanner.Scan(K8sSource.FromPaths(relativeFixtures.Select(f => Path.Combine(Fixtures, f))));

    public static ScanReport ScanText(string yaml, string name = "test.yaml") => K8sScanner.Scan([new K8sSource(name, yaml)]);
}
