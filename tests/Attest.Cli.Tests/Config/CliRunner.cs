using System.Reflection;

namespace Attest.Cli.Tests.Config;

/// <summary>Runs the real <c>attest</c> entry point in-process with stdout and stderr captured. Console is global, so runs are serialised.</summary>
internal static class CliRunner
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static readonly MethodInfo EntryPoint = Assembly.Load("attest").EntryPoint!;

    public sealed record Result(int ExitCode, string Out, string Err)
    {
        public string[] ErrLines => Err.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    public static async Task<Result> RunAsync(params string[] args)
    {
        await Gate.WaitAsync();
        var (oldOut, oldErr) = (Console.Out, Console.Error);
        using var outWriter = new StringWriter();
        using var errWriter = new StringWriter();
        try
        {
            Console.SetOut(outWriter);
            Console.SetError(errWriter);
            var code = await Task.Run(() => EntryPoint.Invoke(null, [args]) switch
            {
                int i => i,
                Task<int> t => t.GetAwaiter().GetResult(),
                var other => throw new InvalidOperationException($"unexpected entry point result {other}"),
            });
            return new Result(code, outWriter.ToString().ReplaceLineEndings("\n"), errWriter.ToString().ReplaceLineEndings("\n"));
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldErr);
            Gate.Release();
        }
    }

    public static string RepoRoot { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Attest.slnx"))) return dir.FullName;
        throw new InvalidOperationException("Attest.slnx not found");
    }
}
