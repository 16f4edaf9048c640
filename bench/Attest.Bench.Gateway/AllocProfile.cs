using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

/// <summary>
/// Where a target's allocations go (--alloc): the runtime's allocation sampling events (one per ~100 KB allocated,
/// naming the type that crossed the threshold) while one caller sends requests, summed by type. Whole process:
/// compare a gateway with "direct" to see the gateway's share.
/// </summary>
internal sealed class AllocProfile : EventListener
{
    private readonly ConcurrentDictionary<string, long> _bytes = new(StringComparer.Ordinal);
    private volatile bool _on;

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime") EnableEvents(source, EventLevel.Verbose, (EventKeywords)0x1); // GC keyword: AllocationTick
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (!_on || e.EventName is null || !e.EventName.StartsWith("GCAllocationTick", StringComparison.Ordinal) || e.Payload is null) return;
        var type = e.PayloadNames!.IndexOf("TypeName") is var t and >= 0 ? e.Payload[t] as string ?? "?" : "?";
        var amount = e.PayloadNames.IndexOf("AllocationAmount64") is var a and >= 0 ? Convert.ToInt64(e.Payload[a], System.Globalization.CultureInfo.InvariantCulture) : 100_000;
        _bytes.AddOrUpdate(type, amount, (_, v) => v + amount);
    }

    public static async Task RunAsync(Load load, IEnumerable<Target> targets, int n)
    {
        foreach (var t in targets)
        {
            using var profile = new AllocProfile();
            for (var i = 0; i < 300; i++) await load.OnceAsync(t, Load.Body(t, false), false);
            var before = GC.GetTotalAllocatedBytes(precise: true);
            profile._on = true;
            for (var i = 0; i < n; i++) await load.OnceAsync(t, Load.Body(t, false), false);
            profile._on = false;
            var total = GC.GetTotalAllocatedBytes(precise: true) - before;
            Console.WriteLine();
            Console.WriteLine($"{t.Name}: {total / 1024.0 / n:F1} KiB allocated per request (whole process); sampled by type, bytes per request:");
            foreach (var (type, bytes) in profile._bytes.OrderByDescending(kv => kv.Value).Take(25))
                Console.WriteLine($"  {bytes / (double)n,9:F0}  {type}");
        }
    }
}
