using System.Diagnostics;
using System.Security.Cryptography;
using Attest.Audit.Checkpoints;
using Attest.Audit.Log;
using Attest.Audit.Merkle;
using Attest.Audit.Verification;
using Attest.Core.Audit;

/// <summary>
/// Verification throughput on a synthetic log held in memory (entries shaped like the gateway's,
/// 97-byte sealed payloads, a signed checkpoint every 1,000 entries): median of several rounds.
/// </summary>
internal static class VerifyBench
{
    public static void Run(int entries, CheckpointKey key)
    {
        var rows = new List<VerifyRow>(entries);
        var checkpoints = new List<StoredCheckpoint>();
        var tree = new CompactRange();
        var chain = new byte[32];
        var time = DateTimeOffset.UtcNow;
        var ids = new EventIdGenerator(TimeProvider.System);
        for (var i = 0; i < entries; i++)
        {
            var payload = RandomNumberGenerator.GetBytes(97);
            var canonical = new AuditEntry
            {
                Id = ids.Next(), Sequence = i, Time = time, Type = AuditEventTypes.ChatRequest, Tenant = "acme", Subject = $"acme/user/u{i % 50}", DataClass = "prompts",
                Actor = new AuditActor { KeyId = $"k{i % 64}" }, Model = new AuditModel("gpt", "gpt-4o-2024-08-06", "openai"), Decision = "allow",
                InputTokens = 120, OutputTokens = 300, LatencyMicros = 812_500, Digests = new Dictionary<string, string> { ["prompt"] = new string('a', 64) },
                Payload = new PayloadReference("A256GCM", "sk_0123456789abcdef01234567", Convert.ToHexStringLower(SHA256.HashData(payload)), payload.Length),
            }.Encode();
            var leaf = MerkleHash.Leaf(canonical);
            chain = MerkleHash.Chain(chain, leaf);
            tree.Append(leaf);
            rows.Add(new VerifyRow(canonical, chain, payload));
            if (tree.Size % 1000 == 0 || i == entries - 1)
            {
                var cp = new Checkpoint("attest", tree.Size, tree.Root(), time);
                checkpoints.Add(new StoredCheckpoint(cp.Size, cp.Root, cp.Time, key.KeyId, cp.Sign(key)));
            }
        }
        Console.WriteLine($"verification bench: {entries:N0} entries ({rows.Sum(r => r.Canonical.Length) / entries} bytes canonical each), {checkpoints.Count} checkpoints, {Environment.ProcessorCount} processors");
        foreach (var parallel in new[] { true, false })
        {
            var rates = new List<(double Wall, double Cpu)>();
            for (var round = 0; round < (parallel ? 5 : 2); round++)
            {
                var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
                var sw = Stopwatch.StartNew();
                var v = new AuditVerifier(checkpoints, [key]);
                if (parallel) for (var at = 0; at < rows.Count; at += 4096) v.AddRange(rows.GetRange(at, Math.Min(4096, rows.Count - at)));
                else foreach (var r in rows) v.Add(r);
                var report = v.Finish();
                if (!report.Ok) throw new InvalidOperationException(report.Message);
                rates.Add((entries / sw.Elapsed.TotalSeconds, entries / (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds));
            }
            var wall = rates.Select(r => r.Wall).Order().ToList();
            var cpu = rates.Select(r => r.Cpu).Order().ToList();
            Console.WriteLine($"verification ({(parallel ? "AddRange in 4,096-row chunks as `attest audit verify` feeds it, all cores" : "Add, one thread")}): median {wall[wall.Count / 2]:N0} entries/s" +
                $" (best {wall[^1]:N0}; {cpu[cpu.Count / 2]:N0} entries per CPU-second = {1e6 / cpu[cpu.Count / 2]:F2} µs CPU per entry) — target ≥ 1,000,000 entries/s");
        }
    }
}
