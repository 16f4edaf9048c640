using System.Diagnostics;
using System.Text;
using Attest.Core.Config;
using Attest.Core.Guards;
using Attest.Core.Identity;
using Attest.Guards;
using Attest.Guards.Canary;
using Attest.Guards.Content;
using Attest.Guards.Injection;
using Attest.Guards.Pii;
using Attest.Guards.Pipeline;
using Attest.Guards.Secrets;

namespace Attest.Bench.Guards;

/// <summary>Throughput per guard and for the whole pipeline on one thread, and latency percentiles per 4 KB prompt.</summary>
internal static class Speed
{
    public static string Prompt4K() => Prompt4K(withContact: true);

    /// <summary>The bench prompt; without the contact line it holds nothing any guard flags (a clean prompt).</summary>
    public static string Prompt4K(bool withContact)
    {
        var sb = new StringBuilder();
        string[] parts =
        [
            "Please review the following customer conversation and draft a reply that addresses the billing question. ",
            "The customer mentioned their order number 48213 and said the delivery was late by two days. ",
            "They asked whether the refund would go back to the original card and how long it would take. ",
            "Our policy says refunds take five to seven business days. Keep the tone friendly and concise. ",
            "Contact: jane.roe@example.com, phone +1 415 555 0199. ",
        ];
        int kinds = withContact ? parts.Length : parts.Length - 1;
        for (int i = 0; sb.Length < 4096; i++) sb.Append(parts[i % kinds]);
        return sb.ToString(0, 4096);
    }

    public static void Run()
    {
        var text = Prompt4K();
        var policy = CompiledGuardPolicy.Default;
        var scan = new GuardScan(GuardDirection.Input, policy);
        Console.WriteLine($"Input: one 4,096-character English prompt with an e-mail and a phone number; one thread.\n");
        Console.WriteLine("| guard | MB/s (million characters per second) | mean µs per 4 KB | median µs per 4 KB | MB/s at the median |");
        Console.WriteLine("|---|---|---|---|---|");
        foreach (IContentGuard g in new IContentGuard[] { new PiiGuard(), new SecretGuard(), new InjectionGuard(), new CanaryGuard(), new ContentGuard() })
        {
            var list = new List<GuardFinding>();
            for (int i = 0; i < 200; i++) { list.Clear(); g.Scan(text, scan, list); }
            var sw = Stopwatch.StartNew();
            var each = new List<double>();
            while (sw.ElapsedMilliseconds < 1500)
            {
                long t0 = Stopwatch.GetTimestamp();
                list.Clear();
                g.Scan(text, scan, list);
                each.Add(Stopwatch.GetElapsedTime(t0).TotalMicroseconds);
            }
            double secs = sw.Elapsed.TotalSeconds;
            int n = each.Count;
            each.Sort();
            Console.WriteLine($"| {g.Name} | {text.Length * (double)n / secs / 1e6:0.0} | {secs * 1e6 / n:0.0} | {each[n / 2]:0.0} | {text.Length / each[n / 2]:0.0} |");
        }
        Console.WriteLine("\nPII recognizers (median µs per 4 KB):");
        foreach (var (name, f) in new (string, Action<string, List<GuardFinding>>)[]
        {
            ("email", EmailRecognizer.Scan), ("card", CardRecognizer.Scan), ("ssn", SsnRecognizer.Scan), ("iban", IbanRecognizer.Scan),
            ("phone", PhoneRecognizer.Scan), ("aba", AbaRecognizer.Scan), ("dob/passport/licence", ContextualIdRecognizer.Scan),
            ("address", AddressRecognizer.Scan), ("ip", IpRecognizer.Scan), ("name", NameRecognizer.Scan),
        })
        {
            var l = new List<GuardFinding>();
            for (int i = 0; i < 100; i++) { l.Clear(); f(text, l); }
            Console.WriteLine($"  {name}: {MedianMicros(() => { l.Clear(); f(text, l); }):0.0} ({AllocatedPerCall(() => { l.Clear(); f(text, l); }) / 1024:0.0} KB allocated per call)");
        }
        Console.WriteLine("\nInjection stages (median µs per 4 KB):");
        var normalizedText = TextNormalizer.Normalize(text);
        var injectionModel = InjectionModel.Default;
        foreach (var (name, f) in new (string, Action)[]
        {
            ("normalise", () => TextNormalizer.Normalize(text)),
            ("normalise + decode + signatures", () => new InjectionGuard(null).Evaluate(text)),
            ("decode", () => Decoders.Decode(text)),
            ("classifier", () => injectionModel?.Score(normalizedText)),
        })
        {
            for (int i = 0; i < 100; i++) f();
            Console.WriteLine($"  {name}: {MedianMicros(() => f()):0.0} ({AllocatedPerCall(() => f()) / 1024:0.0} KB allocated per call)");
        }
        var pipeline = GuardPipelineBuilder.CreateDefault(new StaticPolicySource(new PolicySnapshot(new AttestConfig(), "bench"))).Build();
        var ctx = new GuardContext { Direction = GuardDirection.Input, Identity = new RequestIdentity { Tenant = "bench" } };
        Console.WriteLine("\nPipeline stages (median µs per 4 KB):");
        var compiled = pipeline.PolicyFor(ctx)!;
        var decision = pipeline.Engine.Decide(text, ctx, compiled);
        var verdict = pipeline.ToVerdict(text, ctx, compiled, decision);
        foreach (var (name, f) in new (string, Action)[]
        {
            ("policy lookup", () => pipeline.PolicyFor(ctx)),
            ("detectors + actions (engine)", () => pipeline.Engine.Decide(text, ctx, compiled)),
            ("redaction (verdict)", () => pipeline.ToVerdict(text, ctx, compiled, decision)),
            ("audit record (digests)", () => pipeline.Auditor.AppendAsync(text, ctx, verdict, default).AsTask().GetAwaiter().GetResult()),
        })
        {
            for (int i = 0; i < 100; i++) f();
            Console.WriteLine($"  {name}: {MedianMicros(f):0.0} ({AllocatedPerCall(f) / 1024:0.0} KB allocated per call)");
        }
        for (int i = 0; i < 300; i++) _ = pipeline.EvaluateAsync(text, ctx).AsTask().GetAwaiter().GetResult();
        var times = new List<double>();
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        long bytes0 = GC.GetAllocatedBytesForCurrentThread();
        int gc0 = GC.CollectionCount(0);
        var total = Stopwatch.StartNew();
        while (total.ElapsedMilliseconds < 4000)
        {
            long t0 = Stopwatch.GetTimestamp();
            _ = pipeline.EvaluateAsync(text, ctx).AsTask().GetAwaiter().GetResult();
            times.Add(Stopwatch.GetElapsedTime(t0).TotalMicroseconds);
        }
        double cpuMicros = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalMicroseconds / times.Count;
        double bytesPerCall = (GC.GetAllocatedBytesForCurrentThread() - bytes0) / (double)times.Count;
        int gcs = GC.CollectionCount(0) - gc0;
        times.Sort();
        double mbs = text.Length * (double)times.Count / total.Elapsed.TotalSeconds / 1e6;
        double p50 = times[times.Count / 2], p99 = times[(int)(times.Count * 0.99)];
        Console.WriteLine($"| all guards (pipeline, redaction, policy) | {mbs:0.0} | {times.Average():0.0} | {p50:0.0} | {text.Length / p50:0.0} |");
        Console.WriteLine($"\nPipeline latency per 4 KB prompt: p50 {p50:0.0} µs, p99 {p99:0.0} µs, max {times[^1]:0.0} µs over {times.Count} calls.");
        Console.WriteLine($"Pipeline CPU time per 4 KB prompt (process CPU time / calls): {cpuMicros:0.0} µs = {text.Length / cpuMicros:0.0} MB/s of CPU.");
        Console.WriteLine($"Allocated per call: {bytesPerCall / 1024:0.0} KB; gen-0 collections: {gcs} over {times.Count} calls.");
        Console.WriteLine($"\nTargets (issue #5): all guards together ≥ 100 MB/s on one core → {(text.Length / p50 >= 100 ? "met" : "not met")} at the median ({text.Length / p50:0.0} MB/s), " +
            $"{(mbs >= 100 ? "met" : "not met")} on the mean ({mbs:0.0} MB/s); ≤ 100 µs p99 per 4 KB → {(p99 <= 100 ? "met" : "not met")} (p99 {p99:0.0} µs).");
        Console.WriteLine($"Load average during the run: {LoadAverage()}.");
    }

    /// <summary>Runs only the whole pipeline over the 4 KB prompt for <paramref name="seconds"/> (to attach a sampling profiler), then prints CPU and allocation per call.</summary>
    public static void Loop(int seconds, bool clean = false)
    {
        var text = Prompt4K(withContact: !clean);
        var pipeline = GuardPipelineBuilder.CreateDefault(new StaticPolicySource(new PolicySnapshot(new AttestConfig(), "bench"))).Build();
        var ctx = new GuardContext { Direction = GuardDirection.Input, Identity = new RequestIdentity { Tenant = "bench" } };
        // Warm-up: the first calls run unoptimised code until tiered compilation has replaced it.
        for (int i = 0; i < 3000; i++) _ = pipeline.EvaluateAsync(text, ctx).AsTask().GetAwaiter().GetResult();
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        long bytes0 = GC.GetAllocatedBytesForCurrentThread();
        long calls = 0;
        var total = Stopwatch.StartNew();
        while (total.Elapsed.TotalSeconds < seconds)
        {
            _ = pipeline.EvaluateAsync(text, ctx).AsTask().GetAwaiter().GetResult();
            calls++;
        }
        double cpuMicros = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalMicroseconds / calls;
        Console.WriteLine($"{(clean ? "clean prompt" : "prompt with e-mail and phone")}: {calls} calls; CPU {cpuMicros:0.0} µs per call; {(GC.GetAllocatedBytesForCurrentThread() - bytes0) / (double)calls / 1024:0.0} KB allocated per call; load {LoadAverage()}");
    }

    /// <summary>Median µs per 4 KB of one injection stage, three rounds of 400 ms (for A/B runs of a single stage).</summary>
    public static int Stage(string name)
    {
        var text = Prompt4K();
        var normalized = TextNormalizer.Normalize(text);
        var model = InjectionModel.Default!;
        Action? f = name switch
        {
            "classifier" => () => model.Score(normalized),
            "normalise" => () => TextNormalizer.Normalize(text),
            "signatures" => () => InjectionSignatures.Evaluate(normalized),
            "injection" => () => new InjectionGuard().Evaluate(text),
            _ => null,
        };
        if (f is null)
        {
            Console.Error.WriteLine("stage: classifier|normalise|signatures|injection");
            return 2;
        }
        for (int i = 0; i < 2000; i++) f();
        Console.WriteLine($"{name}: " + string.Join(" / ", Enumerable.Range(0, 3).Select(_ => MedianMicros(f).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture))) +
            $" µs median per 4 KB; {AllocatedPerCall(f) / 1024:0.0} KB allocated per call; load {LoadAverage()}");
        return 0;
    }

    private static string LoadAverage()
    {
        try { return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
        catch (IOException) { return "unknown"; }
        catch (UnauthorizedAccessException) { return "unknown"; }
    }

    /// <summary>Bytes allocated by one call on this thread, averaged over 200 calls.</summary>
    private static double AllocatedPerCall(Action call)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 200; i++) call();
        return (GC.GetAllocatedBytesForCurrentThread() - before) / 200.0;
    }

    /// <summary>Median time of one call over 400 ms of calls (the median resists CPU contention better than the mean).</summary>
    private static double MedianMicros(Action call)
    {
        var each = new List<double>();
        var sw = Stopwatch.StartNew();
        while (sw.ElapsedMilliseconds < 400)
        {
            long t0 = Stopwatch.GetTimestamp();
            call();
            each.Add(Stopwatch.GetElapsedTime(t0).TotalMicroseconds);
        }
        each.Sort();
        return each[each.Count / 2];
    }
}
