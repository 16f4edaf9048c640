using System.Diagnostics;
using Attest.Core.Config;
using Attest.Core.Identity;
using Attest.Server.Gateway;
using Attest.Server.Keys;
using Attest.Server.Limits;
using Attest.Storage;
using Attest.Storage.Keys;
using Microsoft.Extensions.Logging.Abstractions;

// Reservations per second of the usage limiter: reserve + reconcile against tenant and agent
// counters (rpm, tpm, tokens/day, cost/month = 6 counters), in-process and through Redis.
// Usage: dotnet run -c Release --project bench/Attest.Bench.Limits [redis host:port]
var redis = args.Length > 0 ? args[0] : Environment.GetEnvironmentVariable("ATTEST_REDIS");
var tenant = "bench" + Environment.ProcessId;
var yaml = $$"""
    tenants:
      - id: {{tenant}}
        limits: { requestsPerMinute: 1000000000, tokensPerMinute: 1000000000, tokensPerDay: 100000000000 }
    agents:
      - id: bot
        tenant: {{tenant}}
        budget: { tokensPerMinute: 1000000000, costPerMonth: 100000000 }
    """;
var policy = new StaticPolicySource(ConfigLoader.FromText(yaml));
await using var db = new SqliteDatabase(Path.Combine(Path.GetTempPath(), "attest-bench-" + Environment.ProcessId, "attest.db"));
await MigrationRunner.ApplyAsync(db);
var keys = new KeyDirectory(new KeyStore(db), new ConfigKeys(new KeyPepper(new byte[32]), policy));
var identity = new RequestIdentity { Tenant = tenant, Agent = "bot" };
var estimate = new UsageEstimate("m", 500, 0.002m);

Console.WriteLine($"Attest limiter benchmark — {Environment.ProcessorCount} cores, .NET {Environment.Version}");
await RunAsync("in-process", new InMemoryCounterStore(TimeProvider.System), [1, 8, 64], 200_000);
if (redis is not null)
{
    await using var store = new RedisCounterStore(new RedisClient(redis, maxConnections: 64));
    await RunAsync($"redis {redis}", store, [1, 16, 64], 20_000);
}
else Console.WriteLine("redis: skipped (pass host:port or set ATTEST_REDIS)");

async Task RunAsync(string name, ICounterStore store, int[] concurrencies, int total)
{
    var limiter = new UsageLimiter(store, policy, keys, TimeProvider.System, NullLogger<UsageLimiter>.Instance);
    await Once(limiter, total / 10, 8); // warm-up
    foreach (var c in concurrencies)
    {
        var sw = Stopwatch.StartNew();
        await Once(limiter, total, c);
        sw.Stop();
        Console.WriteLine($"{name,-24} concurrency {c,3}: {total / sw.Elapsed.TotalSeconds,12:N0} reserve+reconcile/s  ({sw.Elapsed.TotalMicroseconds / total * c,8:N1} µs per op per worker)");
    }
}

async Task Once(UsageLimiter limiter, int total, int concurrency)
{
    var per = total / concurrency;
    await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
    {
        for (int i = 0; i < per; i++)
        {
            var (r, d) = await limiter.ReserveAsync(identity, estimate);
            if (r is null) throw new InvalidOperationException($"denied: {d!.Code}");
            await r.ReconcileAsync(450, 0.0018m);
        }
    })));
}
