using System.Diagnostics;
using System.Text.Json.Nodes;
using Attest.Audit.Checkpoints;
using Attest.Audit.Crypto;
using Attest.Audit.Log;
using Attest.Core.Audit;

/// <summary>Bench profiling (--profile-pipeline): CPU per event of the log's pipeline over an in-memory store, with and without a simulated 2 ms blocking fsync.</summary>
internal static class PipelineProfile
{
    public static async Task RunAsync()
    {
        var key = CheckpointKey.Generate("attest");
        foreach (var sleep in new[] { 2, 2, 2 })
        {
            var store = new SlowStore(new InMemoryAuditStore(), sleep);
            await using var log = new AuditLog(store, new AuditLogOptions { SigningKey = key, MasterKey = PayloadCrypto.NewKey() });
            const int count = 20_000;
            var next = -1;
            var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            var sw = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, 64).Select(w => Task.Run(async () =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < count)
                    await log.AppendAsync(new AuditRecord
                    {
                        Type = AuditEventTypes.ChatRequest, Tenant = "acme", Subject = $"acme/user/u{i % 50}", DataClass = "prompts",
                        Actor = new AuditActor { KeyId = $"k{w}" }, Decision = "allow",
                        Payload = new JsonObject { ["prompt"] = "redacted prompt text of moderate length for the benchmark", ["i"] = i },
                    });
            })));
            var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu0;
            Console.WriteLine($"  pipeline, in-memory store, {sleep} ms blocking commit: {count / sw.Elapsed.TotalSeconds:N0} events/s, {store.Commits} commits, {cpu.TotalMicroseconds / count:F1} µs CPU per event, {cpu.TotalMicroseconds / store.Commits:F0} µs CPU per commit");
        }
    }

    private sealed class SlowStore(InMemoryAuditStore inner, int sleepMs) : ForwardingStore(inner)
    {
        public int Commits;
        public override Task AppendAsync(Func<AuditTail, AuditBatch> build, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref Commits);
            if (sleepMs > 0) Thread.Sleep(sleepMs);
            return Inner.AppendAsync(build, cancellationToken);
        }
    }
}
