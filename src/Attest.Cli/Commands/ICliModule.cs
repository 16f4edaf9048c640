using System.CommandLine;

namespace Attest.Cli.Commands;

/// <summary>
/// A capability's verbs. Every non-abstract implementation in this assembly is discovered and its
/// commands added to the root, so a capability adds verbs without editing Program.cs.
/// </summary>
internal interface ICliModule
{
    IEnumerable<Command> Commands();
}

/// <summary>Exit codes: 0 ok, 1 failure or violation found, 2 usage error.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    public const int Failure = 1;
    public const int Usage = 2;
}

/// <summary>Shared options and helpers for verbs.</summary>
internal static class CliCommon
{
    /// <summary><c>--config</c>: path of attest.yaml (default: ./attest.yaml, else $ATTEST_CONFIG).</summary>
    public static Option<FileInfo?> ConfigOption() => new("--config", "-c")
    {
        Description = "Path of attest.yaml (default: $ATTEST_CONFIG, else ./attest.yaml)",
    };

    public static Option<bool> JsonOption() => new("--json") { Description = "Write JSON instead of a table" };

    public static string ResolveConfigPath(FileInfo? given) =>
        given?.FullName ?? Environment.GetEnvironmentVariable("ATTEST_CONFIG") ?? Path.GetFullPath("attest.yaml");

    /// <summary>Writes one clear error line to stderr and returns the exit code.</summary>
    public static int Fail(string message, int code = ExitCodes.Failure)
    {
        Console.Error.WriteLine($"attest: {message}");
        return code;
    }
}
