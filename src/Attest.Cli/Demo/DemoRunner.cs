using System.Diagnostics;
using Attest.Core.Config;
using Attest.Server.Hosting;
using Microsoft.Extensions.Logging;

namespace Attest.Cli.Demo;

/// <summary>Starts Attest on the embedded default with the sample config and runs every <see cref="IDemoStep"/>.</summary>
internal static class DemoRunner
{
    public static async Task<int> RunAsync(bool keep, CancellationToken cancellationToken)
    {
        var total = Stopwatch.StartNew();
        var work = Path.Combine(Path.GetTempPath(), "attest-demo-" + Environment.ProcessId);
        Directory.CreateDirectory(work);
        var configPath = Path.Combine(work, "attest.yaml");
        await File.WriteAllTextAsync(configPath, SampleConfig.Text, cancellationToken);
        Console.WriteLine($"Attest demo — working folder {work}");
        var policy = PolicySources.FromFile(configPath);
        await using var app = await AttestHost.BuildAsync(policy, new AttestHostOptions { Listen = "http://127.0.0.1:0", LogLevel = LogLevel.Warning }, cancellationToken);
        await app.StartAsync(cancellationToken);
        var baseUrl = AttestHost.BoundAddress(app);
        Console.WriteLine($"Attest is serving on {baseUrl} (SQLite under {Path.Combine(work, ".attest")})");
        var ctx = new DemoContext
        {
            WorkDirectory = work, ConfigPath = configPath, BaseUrl = baseUrl,
            Http = CliHttp.Create(baseUrl, TimeSpan.FromSeconds(60)), Server = app, Policy = policy,
        };
        var steps = typeof(IDemoStep).Assembly.GetTypes()
            .Where(t => t is { IsAbstract: false, IsInterface: false } && typeof(IDemoStep).IsAssignableFrom(t))
            .Select(t => (IDemoStep)Activator.CreateInstance(t)!)
            .OrderBy(s => s.Order).ToList();
        int failed = 0, n = 0;
        foreach (var step in steps)
        {
            n++;
            Console.WriteLine();
            Console.WriteLine($"[{n}/{steps.Count}] {step.Title}  (evidences {step.Controls})");
            var sw = Stopwatch.StartNew();
            bool ok;
            try { ok = await step.RunAsync(ctx, cancellationToken); }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                ctx.Say($"error: {e.GetType().Name}: {e.Message}");
                ok = false;
            }
            Console.WriteLine($"    => {(ok ? "OK" : "FAILED")} ({sw.ElapsedMilliseconds} ms)");
            if (!ok) failed++;
        }
        await app.StopAsync(cancellationToken);
        Console.WriteLine();
        Console.WriteLine(failed == 0
            ? $"Demo finished: all {steps.Count} steps behaved as expected in {total.Elapsed.TotalSeconds:F1} s."
            : $"Demo finished: {failed} of {steps.Count} steps did not behave as expected.");
        if (!keep && failed == 0) TryDelete(work);
        return failed == 0 ? 0 : 1;
    }

    private static void TryDelete(string dir)
    {
        try { Directory.Delete(dir, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}

/// <summary>The sample config shipped as samples/attest.yaml, embedded so the demo runs from any folder.</summary>
internal static class SampleConfig
{
    public static string Text { get; } = Read();

    private static string Read()
    {
        using var s = typeof(SampleConfig).Assembly.GetManifestResourceStream("samples/attest.yaml")
            ?? throw new InvalidOperationException("samples/attest.yaml is not embedded");
        using var r = new StreamReader(s);
        return r.ReadToEnd();
    }
}
