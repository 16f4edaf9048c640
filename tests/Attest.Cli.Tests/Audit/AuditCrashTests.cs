using System.Diagnostics;
using Attest.Audit.Log;
using Attest.Core.Config;
using Attest.Storage;
using Attest.Storage.Audit;

namespace Attest.Cli.Tests.Audit;

/// <summary>
/// A child <c>attest audit _stress-append</c> is SIGKILLed at random moments, again and again, on one
/// SQLite log. Every id it printed (printed only after the append was acknowledged) must be in the
/// log afterwards, and the log must verify.
/// </summary>
public class AuditCrashTests
{
    [Fact]
    public async Task Acknowledged_events_survive_repeated_SIGKILL_and_the_log_verifies()
    {
        var dir = Path.Combine(Path.GetTempPath(), "attest-crash-" + Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(dir);
        var config = Path.Combine(dir, "attest.yaml");
        await File.WriteAllTextAsync(config, "version: 1\naudit:\n  checkpointEvery: 200\n");
        var acknowledged = new List<string>();
        var rng = new Random(424242);
        var kills = 0;
        for (var round = 0; round < 20; round++)
        {
            var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "attest.dll"), "audit", "_stress-append", "--config", config, "--writers", "16" })
                psi.ArgumentList.Add(a);
            using var child = Process.Start(psi)!;
            var ids = new List<string>();
            var reader = Task.Run(async () =>
            {
                while (await child.StandardOutput.ReadLineAsync() is { } line) lock (ids) ids.Add(line);
            });
            _ = child.StandardError.ReadToEndAsync();
            // Wait for the child to be appending, then kill it at a random moment.
            var deadline = Stopwatch.StartNew();
            while (deadline.Elapsed < TimeSpan.FromSeconds(20))
            {
                lock (ids) if (ids.Count > 0) break;
                if (child.HasExited) break;
                await Task.Delay(10);
            }
            await Task.Delay(rng.Next(5, 300));
            if (!child.HasExited)
            {
                child.Kill(entireProcessTree: true); // SIGKILL
                kills++;
            }
            await child.WaitForExitAsync();
            await reader;
            lock (ids) acknowledged.AddRange(ids);
        }
        Assert.True(kills >= 20, $"only {kills} kills");
        Assert.NotEmpty(acknowledged);

        var policy = ConfigLoader.LoadFile(config);
        await using var db = await StorageFactory.CreateAndMigrateAsync(policy);
        var store = new SqlAuditStore(db);
        var stored = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var r in store.ReadRowsAsync(0, long.MaxValue)) stored.Add(r.Id);
        var missing = acknowledged.Where(id => !stored.Contains(id)).ToList();
        Assert.True(missing.Count == 0, $"{missing.Count} acknowledged events lost, e.g. {missing.FirstOrDefault()}");
        var keys = AuditKeyFiles.LoadTrustedKeys(policy, StorageFactory.DataDirectory(policy));
        var report = await AuditOperations.VerifyAsync(store, keys);
        Assert.True(report.Ok, report.Message);
        try { Directory.Delete(dir, true); } catch (IOException) { }
    }
}
