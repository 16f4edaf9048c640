using System.Diagnostics;
using Attest.Audit.Merkle;

/// <summary>Inclusion and consistency proof latency from the in-memory proof tree (as the proof service holds it) at a given size.</summary>
internal static class ProofBench
{
    public static void Run(long size)
    {
        GC.Collect();
        var memory0 = GC.GetTotalMemory(true);
        var tree = new MerkleTree();
        Span<byte> buf = stackalloc byte[8], leaf = stackalloc byte[32];
        var sw = Stopwatch.StartNew();
        for (long i = 0; i < size; i++)
        {
            BitConverter.TryWriteBytes(buf, i);
            Sha256Fast.Hash(buf, leaf);
            tree.Append(leaf);
        }
        var built = sw.Elapsed;
        var memory = GC.GetTotalMemory(true) - memory0;
        Console.WriteLine($"proof tree of {size:N0} leaves built in {built.TotalSeconds:F1} s, {memory / (1024.0 * 1024):N0} MiB ({(double)memory / size:F0} bytes per entry)");
        var rng = new Random(1);
        const int n = 20_000;
        var times = new double[n];
        for (var i = 0; i < n; i++)
        {
            var s = rng.NextInt64(1, size + 1);
            var t = Stopwatch.GetTimestamp();
            tree.InclusionProof(rng.NextInt64(0, s), s);
            times[i] = Stopwatch.GetElapsedTime(t).TotalMicroseconds;
        }
        Report($"inclusion proof at {size:N0} (random index and size)", times);
        for (var i = 0; i < n; i++)
        {
            var s = rng.NextInt64(1, size + 1);
            var t = Stopwatch.GetTimestamp();
            tree.ConsistencyProof(rng.NextInt64(1, s + 1), s);
            times[i] = Stopwatch.GetElapsedTime(t).TotalMicroseconds;
        }
        Report($"consistency proof at {size:N0} (random sizes)", times);
    }

    private static void Report(string name, double[] times)
    {
        Array.Sort(times);
        Console.WriteLine($"{name}: mean {times.Average():F1} µs, median {times[times.Length / 2]:F1} µs, p99 {times[(int)(times.Length * 0.99)]:F1} µs, max {times[^1]:F0} µs (target < 1,000 µs)");
    }
}
