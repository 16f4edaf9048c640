namespace Attest.Core.Tests.Config;

/// <summary>Finds files of the repository from the test's output folder.</summary>
internal static class RepoPaths
{
    public static string Root { get; } = Find();

    public static string Of(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Attest.slnx"))) return dir.FullName;
        }
        throw new InvalidOperationException("Attest.slnx not found above " + AppContext.BaseDirectory);
    }
}
