using System.Text.Json.Nodes;
using Attest.Audit.Checkpoints;
using Attest.Audit.Crypto;
using Attest.Audit.Log;
using Attest.Core.Audit;
using Attest.Core.Time;

namespace Attest.Audit.Tests;

/// <summary>Builds audit logs over the in-memory store for tests.</summary>
internal static class TestLogs
{
    public static readonly CheckpointKey Key = CheckpointKey.Generate("attest");
    public static readonly byte[] Master = PayloadCrypto.NewKey();

    public static (AuditLog Log, InMemoryAuditStore Store, ManualTimeProvider Time) Create(int checkpointEvery = 500, InMemoryAuditStore? store = null)
    {
        store ??= new InMemoryAuditStore();
        var time = new ManualTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var log = new AuditLog(store, new AuditLogOptions { SigningKey = Key, MasterKey = Master, CheckpointEvery = checkpointEvery, Time = time });
        return (log, store, time);
    }

    public static AuditRecord Record(int i, string dataClass = "prompts") => new()
    {
        Type = i % 3 == 0 ? AuditEventTypes.ChatRequest : i % 3 == 1 ? AuditEventTypes.ToolCall : AuditEventTypes.ApprovalGranted,
        Tenant = $"t{i % 4}",
        Subject = $"t{i % 4}/user/u{i % 7}",
        DataClass = dataClass,
        Actor = new AuditActor { KeyId = $"k{i % 5}", EndUser = $"u{i % 7}" },
        Model = new AuditModel("gpt", "gpt-4o-2024-08-06", "openai"),
        Decision = i % 11 == 0 ? "block" : "allow",
        Reasons = i % 11 == 0 ? ["pii.email"] : [],
        InputTokens = i, OutputTokens = i * 2, LatencyMs = i / 7.0,
        Digests = new Dictionary<string, string> { ["prompt"] = $"{i:x64}" },
        Payload = i % 2 == 0 ? new JsonObject { ["prompt"] = $"hello {i}", ["n"] = i } : null,
    };

    public static async Task FillAsync(AuditLog log, int count, int concurrency = 32)
    {
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count) await log.AppendAsync(Record(i));
        })));
    }
}
