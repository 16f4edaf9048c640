using System.Diagnostics;
using Attest.Core.Audit;
using Attest.Core.Config;
using Attest.Core.Guards;
using Attest.Server.Hosting;
using Attest.Server.Keys;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

// Added latency of the Attest gateway over calling the same fake upstream directly, all on loopback.
//   "bare":  identity, model pinning, limiter; guards and durable audit off.
//   "full":  everything on: durable SQLite audit (chat.request + chat.response committed before the answer), guards, limiter, identity.
//   "portkey" (--portkey): the Portkey gateway (node) routed to the same upstream.
//   "audit only" / "guards only" (--split): the full gateway less guards, or less durable audit, to attribute the added time.
// Keys are real virtual keys (created with KeyManager, authenticated by keyed hash against the store on every request).
// Options: --portkey, --split, --quick (fewer requests), --no-concurrent (concurrency-1 tables and saturation only),
//          --alloc (allocations per request by type, sampled), --micro (per-call cost of storage open and key authentication), --profile [--full] (only saturation of one gateway, to attach a profiler), --upstream-ms N (the fake upstream takes N ms per answer, like a model would; default 0),
//          --coalesce-ms N (audit.coalesceMs for the gateways: 0 = chat.request committed alone at dispatch; default: the product default, 1).
var portkeyWanted = args.Contains("--portkey");
var upstreamMs = args.SkipWhile(a => a != "--upstream-ms").Skip(1).Select(int.Parse).FirstOrDefault();
var coalesceMs = args.SkipWhile(a => a != "--coalesce-ms").Skip(1).Select(int.Parse).Cast<int?>().FirstOrDefault();
var split = args.Contains("--split");
var quick = args.Contains("--quick");
var concurrentTables = !args.Contains("--no-concurrent");

Console.WriteLine($"Attest gateway benchmark — {Environment.ProcessorCount} cores, .NET {Environment.Version}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, load average {Load.LoadAverage()}");
Console.WriteLine("client, Attest gateways and fake upstream in this process on loopback" + (portkeyWanted ? "; Portkey in its own node process" : "")
    + (upstreamMs > 0 ? $"; the upstream takes {upstreamMs} ms per answer" : "")
    + (coalesceMs is { } cm ? $"; audit.coalesceMs {cm}" : ""));

await using var upstream = await FakeUpstream.StartAsync(TimeSpan.FromMilliseconds(upstreamMs));
var upstreamUrl = upstream.Urls.First();
var dirs = new List<string>();
await using var bare = await GatewayAsync(audit: false, guards: false);
await using var full = await GatewayAsync(audit: true, guards: true);
await using var auditOnly = split ? await GatewayAsync(audit: true, guards: false) : null;
await using var guardsOnly = split ? await GatewayAsync(audit: false, guards: true) : null;
await using var portkey = portkeyWanted ? await TryStartPortkeyAsync() : null;

using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 1024, PooledConnectionLifetime = TimeSpan.FromMinutes(10), UseCookies = false };
using var http = new HttpClient(handler);
var load = new Load(http);
var direct = new Target("direct", upstreamUrl, FakeUpstream.Model, []);
var bareT = await AttestTargetAsync("attest bare", bare);
var fullT = await AttestTargetAsync("attest full", full);
var portkeyT = portkey is null ? null : new Target("portkey", portkey.Url, FakeUpstream.Model, Portkey.Headers(upstreamUrl), portkey.Process);
var targets = new List<Target> { direct, bareT, fullT };
if (portkeyT is not null) targets.Add(portkeyT);
if (auditOnly is not null) targets.Add(await AttestTargetAsync("audit only", auditOnly));
if (guardsOnly is not null) targets.Add(await AttestTargetAsync("guards only", guardsOnly));

if (args.Contains("--micro"))
{
    await Micro.RunAsync(bare, full, bareT.Headers[0].Value["Bearer ".Length..], quick ? 2000 : 10000);
    await StopAllAsync();
    return;
}
if (args.Contains("--alloc"))
{
    await AllocProfile.RunAsync(load, [direct, bareT, fullT], quick ? 5000 : 20000);
    await StopAllAsync();
    return;
}
if (args.Contains("--profile"))
{
    // For a profiler attached to this process: only the bare gateway at saturation, for a while.
    var profiled = await load.ConcurrentAsync(args.Contains("--full") ? fullT : bareT, false, 128, 60000, warmup: 500);
    Console.WriteLine($"profile run: {profiled.Rps:F0} req/s, CPU {profiled.CpuMicrosPerRequest:F0} µs/req");
    await StopAllAsync();
    return;
}
var c1 = new Dictionary<(Target, bool), Samples>();
foreach (var stream in new[] { false, true })
{
    var name = stream ? "streaming TTFB, concurrency 1" : "non-streaming, concurrency 1";
    var result = await load.SequentialAsync(targets, stream, perTarget: quick ? 800 : 3000, block: 200, warmup: 300);
    foreach (var (t, s) in result) c1[(t, stream)] = s;
    Print(name, result, direct);
}
if (concurrentTables)
{
    foreach (var stream in new[] { false, true })
    {
        var name = (stream ? "streaming TTFB" : "non-streaming") + ", concurrency 64";
        var result = new Dictionary<Target, Samples>();
        foreach (var t in targets) result[t] = await load.ConcurrentAsync(t, stream, 64, quick ? 3000 : 10000, warmup: 200);
        Print(name, result, direct);
    }
}
var satDirect = await load.ConcurrentAsync(direct, false, 128, quick ? 6000 : 20000, warmup: 500);
var satBare = await load.ConcurrentAsync(bareT, false, 128, quick ? 6000 : 20000, warmup: 500);
var satFull = await load.ConcurrentAsync(fullT, false, 128, quick ? 6000 : 20000, warmup: 500);
Console.WriteLine();
Console.WriteLine($"saturation, concurrency 128, non-streaming (load average now {Load.LoadAverage()}):");
Console.WriteLine($"  direct:      {satDirect.Rps,7:F0} req/s, p50 {satDirect.P(0.5):F2} ms, p99 {satDirect.P(0.99):F2} ms, CPU {satDirect.CpuMicrosPerRequest:F0} µs/req (client and upstream)");
Console.WriteLine($"  attest bare: {satBare.Rps,7:F0} req/s, p50 {satBare.P(0.5):F2} ms, p99 {satBare.P(0.99):F2} ms, CPU {satBare.CpuMicrosPerRequest:F0} µs/req (whole process; gateway ≈ {satBare.CpuMicrosPerRequest - satDirect.CpuMicrosPerRequest:F0})");
Console.WriteLine($"  attest full: {satFull.Rps,7:F0} req/s, p50 {satFull.P(0.5):F2} ms, p99 {satFull.P(0.99):F2} ms, CPU {satFull.CpuMicrosPerRequest:F0} µs/req (whole process; gateway ≈ {satFull.CpuMicrosPerRequest - satDirect.CpuMicrosPerRequest:F0})");
GC.Collect();
Console.WriteLine($"memory after run: working set {Process.GetCurrentProcess().WorkingSet64 / 1048576.0:F0} MiB, managed heap {GC.GetTotalMemory(false) / 1048576.0:F0} MiB, gen2 collections {GC.CollectionCount(2)}");

Console.WriteLine();
Console.WriteLine("targets (2-core machine" + (upstreamMs > 0 ? $"; they are defined for the instant upstream, this run's upstream takes {upstreamMs} ms, whose timer jitter makes p99 differences meaningless" : "") + "):");
double Added(Target t, double q) => c1[(t, false)].P(q) - c1[(direct, false)].P(q);
Verdict("full: added p50 at concurrency 1", Added(fullT, 0.5), 0.5, "ms");
Verdict("full: added p99 at concurrency 1", Added(fullT, 0.99), 2.0, "ms");
Verdict("bare: added p50 at concurrency 1", Added(bareT, 0.5), 0.2, "ms");
Console.WriteLine($"  full: throughput at saturation           {satFull.Rps,9:F0} req/s (target ≥ 5000: {(satFull.Rps >= 5000 ? "met" : "NOT met")})");
if (portkeyT is not null)
{
    Console.WriteLine();
    Console.WriteLine("Portkey side by side (non-streaming, concurrency 1, same upstream, same run):");
    foreach (var t in new[] { bareT, fullT })
        Console.WriteLine($"  added p50: portkey {Added(portkeyT, 0.5):F3} ms vs {t.Name} {Added(t, 0.5):F3} ms — portkey/attest = {Added(portkeyT, 0.5) / Added(t, 0.5):F1}x;"
            + $" added p99: {Added(portkeyT, 0.99):F3} vs {Added(t, 0.99):F3} ms");
    var sp = c1[(portkeyT, true)].P(0.5) - c1[(direct, true)].P(0.5);
    var sa = c1[(fullT, true)].P(0.5) - c1[(direct, true)].P(0.5);
    Console.WriteLine($"  streaming TTFB added p50: portkey {sp:F3} ms vs attest full {sa:F3} ms — portkey/attest = {sp / sa:F1}x");
}
Console.WriteLine($"load average at the end: {Load.LoadAverage()}");
await StopAllAsync();
return;

async Task<Portkey?> TryStartPortkeyAsync()
{
    try
    {
        return await Portkey.StartAsync(upstreamUrl);
    }
    catch (Exception e) when (e is InvalidOperationException or IOException or System.ComponentModel.Win32Exception)
    {
        Console.WriteLine($"Portkey not run: {e.Message} (needs node and npm; see bench/Attest.Bench.Gateway/portkey/package.json)");
        return null;
    }
}

async Task StopAllAsync()
{
    foreach (var g in new[] { bare, full, auditOnly, guardsOnly }) if (g is not null) await g.StopAsync();
    await upstream.StopAsync();
    foreach (var d in dirs) try { Directory.Delete(d, true); } catch (IOException) { }
}

static async Task<Target> AttestTargetAsync(string name, WebApplication gateway)
{
    var issued = await gateway.Services.GetRequiredService<KeyManager>().CreateAsync(new KeyRequest { Tenant = "acme", Scopes = ["chat"] }, "bench");
    return new Target(name, AttestHost.BoundAddress(gateway), "chat", [new("Authorization", "Bearer " + issued.Key)]);
}

static void Verdict(string what, double value, double target, string unit) =>
    Console.WriteLine($"  {what,-40} {value,9:F3} {unit} (target ≤ {target} {unit}: {(value <= target ? "met" : "NOT met")})");

static void Print(string scenario, Dictionary<Target, Samples> result, Target direct)
{
    Console.WriteLine();
    Console.WriteLine($"{scenario} (load average {Load.LoadAverage()})");
    Console.WriteLine("  target       |  p50 ms |  p99 ms | added p50 | added p99 |   req/s | CPU µs/req | added CPU µs/req | added KiB/req");
    var d = result[direct];
    foreach (var (t, s) in result)
        Console.WriteLine($"  {t.Name,-12} | {s.P(0.5),7:F3} | {s.P(0.99),7:F3} | {s.P(0.5) - d.P(0.5),9:F3} | {s.P(0.99) - d.P(0.99),9:F3} | {s.Rps,7:F0} | {s.CpuMicrosPerRequest,10:F0} | {s.CpuMicrosPerRequest - d.CpuMicrosPerRequest,16:F0}"
            + (s.Allocated > 0 ? $" | {s.AllocatedKiBPerRequest - d.AllocatedKiBPerRequest,13:F1}" : ""));
}

async Task<WebApplication> GatewayAsync(bool audit, bool guards)
{
    var dir = Path.Combine(Path.GetTempPath(), $"attest-bench-gw-{Environment.ProcessId}-{(audit ? "a" : "")}{(guards ? "g" : "")}");
    Directory.CreateDirectory(dir);
    dirs.Add(dir);
    var yaml = $"""
        version: 1
        server:
          dataDir: {dir}
        tenants: [{"{"}id: acme{"}"}]
        providers:
          - id: up
            type: openai
            baseUrl: {upstreamUrl}/v1
        models:
          - alias: chat
            targets:
              - provider: up
                model: {FakeUpstream.Model}
        audit:
          coalesceMs: {coalesceMs ?? new AuditConfig().CoalesceMs}
        """;
    var app = await AttestHost.BuildAsync(new StaticPolicySource(ConfigLoader.FromText(yaml, dir)), new AttestHostOptions
    {
        Listen = "http://127.0.0.1:0",
        LogLevel = LogLevel.Warning,
        ConfigureServices = s =>
        {
            if (!audit) s.RemoveAll<IAuditLog>();
            if (!guards) s.RemoveAll<IGuardPipeline>();
        },
    });
    await app.StartAsync();
    return app;
}
