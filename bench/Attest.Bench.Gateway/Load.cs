using System.Diagnostics;
using System.Text;

/// <summary>Something the bench sends chat completions to: the upstream itself, an Attest gateway, or Portkey.</summary>
/// <param name="Model">The model name this target expects in the body.</param>
/// <param name="Headers">Extra request headers (the key, Portkey's routing headers).</param>
/// <param name="External">A separate process serving this target, whose CPU time is added to this process's.</param>
internal sealed record Target(string Name, string Url, string Model, IReadOnlyList<KeyValuePair<string, string>> Headers, Process? External = null);

/// <summary>Latency samples of one target in one scenario; CPU is this process (client, upstream, in-process gateway) plus the target's own process.</summary>
internal sealed class Samples
{
    private readonly List<double> _ms = [];
    public TimeSpan Cpu { get; set; }
    public TimeSpan Wall { get; set; }
    /// <summary>Bytes allocated in this process (client, upstream, in-process gateway) while the samples were taken.</summary>
    public long Allocated { get; set; }
    public int Count => _ms.Count;
    public void Add(double ms) => _ms.Add(ms);
    public void AddRange(IEnumerable<double> ms) => _ms.AddRange(ms);
    public double P(double q)
    {
        if (_ms.Count == 0) return double.NaN;
        var sorted = _ms.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))];
    }
    public double CpuMicrosPerRequest => Count == 0 ? double.NaN : Cpu.TotalMicroseconds / Count;
    public double AllocatedKiBPerRequest => Count == 0 ? double.NaN : Allocated / 1024.0 / Count;
    public double Rps => Wall.TotalSeconds > 0 ? Count / Wall.TotalSeconds : double.NaN;
}

internal sealed class Load(HttpClient http)
{
    private const string Plain = """{"model":"MODEL","messages":[{"role":"user","content":"Say hello to the benchmark."}],"temperature":0.2}""";
    private const string Streamed = """{"model":"MODEL","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"Say hello to the benchmark."}]}""";

    public static string Body(Target t, bool stream) => (stream ? Streamed : Plain).Replace("MODEL", t.Model, StringComparison.Ordinal);

    /// <summary>One request; milliseconds from send to the end of the body, or to the first body byte when <paramref name="ttfb"/>.</summary>
    public async Task<double> OnceAsync(Target t, string body, bool ttfb)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, t.Url + "/v1/chat/completions") { Content = content };
        foreach (var (name, value) in t.Headers) request.Headers.TryAddWithoutValidation(name, value);
        var start = Stopwatch.GetTimestamp();
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"{t.Name} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
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

    /// <summary>
    /// Concurrency 1, interleaved: rounds of <paramref name="block"/> requests to each target in turn, so that every
    /// target sees the same machine load; CPU time is taken per block.
    /// </summary>
    public async Task<Dictionary<Target, Samples>> SequentialAsync(IReadOnlyList<Target> targets, bool stream, int perTarget, int block, int warmup)
    {
        var result = targets.ToDictionary(t => t, _ => new Samples());
        foreach (var t in targets)
            for (var i = 0; i < warmup; i++) await OnceAsync(t, Body(t, stream), stream);
        for (var done = 0; done < perTarget; done += block)
        {
            foreach (var t in targets)
            {
                var body = Body(t, stream);
                var cpu = CpuNow(t);
                var allocated = GC.GetTotalAllocatedBytes(precise: true);
                var sw = Stopwatch.StartNew();
                for (var i = 0; i < Math.Min(block, perTarget - done); i++) result[t].Add(await OnceAsync(t, body, stream));
                result[t].Wall += sw.Elapsed;
                result[t].Cpu += CpuNow(t) - cpu;
                result[t].Allocated += GC.GetTotalAllocatedBytes(precise: true) - allocated;
            }
        }
        return result;
    }

    /// <summary>Closed loop with <paramref name="concurrency"/> callers until <paramref name="total"/> requests are done.</summary>
    public async Task<Samples> ConcurrentAsync(Target t, bool stream, int concurrency, int total, int warmup)
    {
        var body = Body(t, stream);
        for (var i = 0; i < warmup; i++) await OnceAsync(t, body, stream);
        var samples = new double[total];
        var next = -1;
        var cpu = CpuNow(t);
        var sw = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < total) samples[i] = await OnceAsync(t, body, stream);
        }));
        var result = new Samples { Wall = sw.Elapsed, Cpu = CpuNow(t) - cpu };
        result.AddRange(samples);
        return result;
    }

    private static TimeSpan CpuNow(Target t)
    {
        var own = Process.GetCurrentProcess().TotalProcessorTime;
        if (t.External is not { } p) return own;
        p.Refresh();
        return own + p.TotalProcessorTime;
    }

    public static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
}
