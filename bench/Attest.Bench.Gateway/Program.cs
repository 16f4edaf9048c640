using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using Attest.Core.Config;
using Attest.Server.Gateway;
using Attest.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

// Added latency of the Attest gateway over calling the same fake upstream directly (both on loopback,
// in this process). Guards and durable audit are not registered here (bare proxy + identity + stages).
const string Key = "atk_bench_key_0123456789";
var completion = """{"id":"c1","object":"chat.completion","created":1,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"message":{"role":"assistant","content":"Hello from upstream"},"finish_reason":"stop"}],"usage":{"prompt_tokens":7,"completion_tokens":3,"total_tokens":10}}"""u8.ToArray();
string[] chunks =
[
    """data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"delta":{"role":"assistant","content":"Hello "},"finish_reason":null}]}""",
    """data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"delta":{"content":"from upstream"},"finish_reason":"stop"}]}""",
    """data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o-2024-08-06","choices":[],"usage":{"prompt_tokens":7,"completion_tokens":3,"total_tokens":10}}""",
    "data: [DONE]",
];
var upstreamBuilder = WebApplication.CreateSlimBuilder();
upstreamBuilder.Logging.ClearProviders();
upstreamBuilder.WebHost.UseUrls("http://127.0.0.1:0");
await using var upstream = upstreamBuilder.Build();
upstream.MapPost("/v1/chat/completions", async (HttpContext http) =>
{
    var stream = false;
    using (var reader = new StreamReader(http.Request.Body)) stream = (await reader.ReadToEndAsync()).Contains("\"stream\":true", StringComparison.Ordinal);
    if (!stream)
    {
        http.Response.ContentType = "application/json";
        await http.Response.Body.WriteAsync(completion);
        return;
    }
    http.Response.ContentType = "text/event-stream";
    foreach (var c in chunks)
    {
        await http.Response.WriteAsync(c + "\n\n");
        await http.Response.Body.FlushAsync();
    }
});
await upstream.StartAsync();
var upstreamUrl = upstream.Urls.First();

var dir = Path.Combine(Path.GetTempPath(), "attest-bench-gw-" + Environment.ProcessId);
Directory.CreateDirectory(dir);
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
            model: gpt-4o-2024-08-06
    """;
await using var gateway = await AttestHost.BuildAsync(new StaticPolicySource(ConfigLoader.FromText(yaml, dir)), new AttestHostOptions
{
    Listen = "http://127.0.0.1:0",
    LogLevel = LogLevel.Warning,
    ConfigureServices = s => s.AddSingleton<IKeyAuthenticator>(new BenchKeys(Key)),
});
await gateway.StartAsync();
var gatewayUrl = AttestHost.BoundAddress(gateway);

using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 1024, PooledConnectionLifetime = TimeSpan.FromMinutes(10) };
using var http = new HttpClient(handler);
http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key);
var plain = """{"model":"MODEL","messages":[{"role":"user","content":"Say hello to the benchmark."}],"temperature":0.2}""";
var streamed = """{"model":"MODEL","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"Say hello to the benchmark."}]}""";

async Task<double> OnceAsync(string url, string body, bool ttfb)
{
    using var content = new StringContent(body, Encoding.UTF8, "application/json");
    var start = Stopwatch.GetTimestamp();
    using var response = await http.SendAsync(new HttpRequestMessage(HttpMethod.Post, url + "/v1/chat/completions") { Content = content }, HttpCompletionOption.ResponseHeadersRead);
    response.EnsureSuccessStatusCode();
    await using var s = await response.Content.ReadAsStreamAsync();
    var buffer = new byte[4096];
    if (ttfb)
    {
        _ = await s.ReadAsync(buffer);
        var first = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        while (await s.ReadAsync(buffer) > 0) { }
        return first;
    }
    while (await s.ReadAsync(buffer) > 0) { }
    return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
}

async Task<(double P50, double P99, double Rps)> RunAsync(string url, string body, int concurrency, int total, bool ttfb)
{
    for (var i = 0; i < Math.Min(500, total); i++) await OnceAsync(url, body, ttfb);
    var samples = new double[total];
    var next = -1;
    var sw = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
    {
        int i;
        while ((i = Interlocked.Increment(ref next)) < total) samples[i] = await OnceAsync(url, body, ttfb);
    }));
    var rps = total / sw.Elapsed.TotalSeconds;
    Array.Sort(samples);
    return (samples[total / 2], samples[(int)(total * 0.99)], rps);
}

Console.WriteLine($"Attest gateway benchmark — {Environment.ProcessorCount} cores, .NET {Environment.Version}, client, gateway and fake upstream in one process on loopback");
Console.WriteLine("scenario                         | direct p50 / p99 ms | gateway p50 / p99 ms | added p50 / p99 ms | gateway req/s");
foreach (var (name, body, concurrency, total, ttfb) in new[]
{
    ("non-streaming, concurrency 1", plain, 1, 3000, false),
    ("non-streaming, concurrency 64", plain, 64, 20000, false),
    ("streaming TTFB, concurrency 1", streamed, 1, 3000, true),
    ("streaming TTFB, concurrency 64", streamed, 64, 20000, true),
})
{
    var direct = await RunAsync(upstreamUrl, body.Replace("MODEL", "gpt-4o-2024-08-06", StringComparison.Ordinal), concurrency, total, ttfb);
    var viaGateway = await RunAsync(gatewayUrl, body.Replace("MODEL", "chat", StringComparison.Ordinal), concurrency, total, ttfb);
    Console.WriteLine($"{name,-32} | {direct.P50,8:F3} / {direct.P99,7:F3} | {viaGateway.P50,9:F3} / {viaGateway.P99,7:F3} | {viaGateway.P50 - direct.P50,8:F3} / {viaGateway.P99 - direct.P99,7:F3} | {viaGateway.Rps,10:F0}");
}
var saturation = await RunAsync(gatewayUrl, plain.Replace("MODEL", "chat", StringComparison.Ordinal), 128, 40000, false);
Console.WriteLine($"saturation (concurrency 128, 40,000 non-streaming requests through the gateway): {saturation.Rps:F0} req/s, p50 {saturation.P50:F2} ms, p99 {saturation.P99:F2} ms");
GC.Collect();
Console.WriteLine($"memory after run: working set {Process.GetCurrentProcess().WorkingSet64 / 1048576.0:F0} MiB, managed heap {GC.GetTotalMemory(false) / 1048576.0:F0} MiB, gen2 collections {GC.CollectionCount(2)}");
await gateway.StopAsync();
await upstream.StopAsync();
try { Directory.Delete(dir, true); } catch (IOException) { }

internal sealed class BenchKeys(string key) : IKeyAuthenticator
{
    private readonly VirtualKey _key = new() { Id = "bench", Tenant = "acme", DisplayPrefix = "atk_benc", Scopes = ["chat"] };

    public ValueTask<KeyAuthentication> AuthenticateAsync(string? presentedKey, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(presentedKey == key ? new KeyAuthentication(_key, KeyFailure.None) : new KeyAuthentication(null, KeyFailure.Unknown));
}
