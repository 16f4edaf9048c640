using System.Diagnostics;
using System.Security.Cryptography;
using Attest.Audit.Log;

/// <summary>Bench profiling (--profile-hash): per-call cost of the hashing and parsing the verifier does.</summary>
internal static class HashProfile
{
    public static void Run()
    {
        Console.WriteLine(string.Join(" ", typeof(System.Runtime.Intrinsics.X86.Avx2).Assembly.GetTypes().Where(t => t.Namespace == "System.Runtime.Intrinsics.X86" && t.DeclaringType is null).Select(t => t.Name)));
        var data64 = new byte[64];
        var data559 = new byte[559];
        var entry = new AuditEntry
        {
            Id = "01JABCDEFGHJKMNPQRSTVWXYZ0", Sequence = 123456, Time = DateTimeOffset.UtcNow, Type = "chat.request", Tenant = "acme", Subject = "acme/user/u1", DataClass = "prompts",
            Actor = new Attest.Core.Audit.AuditActor { KeyId = "k1" }, Model = new Attest.Core.Audit.AuditModel("gpt", "gpt-4o-2024-08-06", "openai"), Decision = "allow",
            InputTokens = 120, OutputTokens = 300, LatencyMicros = 812_500, Digests = new Dictionary<string, string> { ["prompt"] = new string('a', 64) },
            Payload = new PayloadReference("A256GCM", "sk_0123456789abcdef01234567", new string('b', 64), 97),
        }.Encode();
        using var inc = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        for (var round = 0; round < 2; round++)
        {
            Time("SHA256.HashData 64 B", () => { Span<byte> d = stackalloc byte[32]; SHA256.HashData(data64, d); });
            Time("SHA256.HashData 559 B", () => { Span<byte> d = stackalloc byte[32]; SHA256.HashData(data559, d); });
            Time("IncrementalHash 64 B", () => { Span<byte> d = stackalloc byte[32]; inc.AppendData(data64); inc.GetHashAndReset(d); });
            Time("IncrementalHash 559 B", () => { Span<byte> d = stackalloc byte[32]; inc.AppendData(data559); inc.GetHashAndReset(d); });
            Time("MerkleHash.Node (64 B, fast SHA-256)", () => { Span<byte> d = stackalloc byte[32]; Attest.Audit.Merkle.MerkleHash.Node(data64.AsSpan(0, 32), data64.AsSpan(32), d); });
            Time("MerkleHash.Leaf (559 B, fast SHA-256)", () => { Span<byte> d = stackalloc byte[32]; Attest.Audit.Merkle.MerkleHash.Leaf(data559, d); });
            Time("ReadSequence", () => AuditEntry.ReadSequence(entry));
        }
    }

    private static void Time(string name, Action body)
    {
        const int n = 300_000;
        for (var i = 0; i < 50_000; i++) body();
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < n; i++) body();
        Console.WriteLine($"  {name}: {sw.Elapsed.TotalNanoseconds / n:F0} ns");
    }
}
