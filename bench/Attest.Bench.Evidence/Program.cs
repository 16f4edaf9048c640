using System.Diagnostics;
using System.Runtime.CompilerServices;
using Attest.Core.Audit;
using Attest.Core.Config;
using Attest.Evidence;
using Attest.Evidence.Export;
using Attest.Evidence.Model;

// Report over N synthetic audit events (default 1,000,000): time and peak memory.
// dotnet run -c Release --project bench/Attest.Bench.Evidence -- [events]
var n = args.Length > 0 ? long.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 1_000_000;
var start = new DateTimeOffset(2026, 10, 1, 0, 0, 0, TimeSpan.Zero);
var policy = ConfigLoader.FromText("""
    version: 1
    tenants: [{ id: acme }, { id: globex }]
    providers: [{ id: local, type: offline, subprocessor: built in, dataLocation: in-process }]
    models: [{ alias: chat, targets: [{ provider: local, model: offline-2026-01 }] }]
    agents:
      - { id: billing-bot, owner: finance, impact: high, model: chat, purpose: refunds }
    """);
var inputs = new EvidenceInputs
{
    Policy = policy, PeriodStart = start, PeriodEnd = start.AddDays(31), Audit = new SyntheticLog(n, start),
    Integrity = new AuditIntegrity { Verified = true, Entries = n, Checkpoints = (int)(n / 1000), CheckpointsContinuous = true },
};
var sw = Stopwatch.StartNew();
var run = await EvidenceEngine.RunAsync(inputs, TimeProvider.System);
var engine = sw.Elapsed;
var bundle = ReportBundle.From(run);
var dir = Path.Combine(Path.GetTempPath(), "attest-bench-evidence");
using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
ReportWriter.Write(bundle, dir, key);
sw.Stop();
using var proc = Process.GetCurrentProcess();
Console.WriteLine($"events={run.EventsRead:N0} engine={engine.TotalSeconds:F2}s total_with_exports={sw.Elapsed.TotalSeconds:F2}s "
    + $"events_per_s={run.EventsRead / engine.TotalSeconds:N0} peak_working_set={proc.PeakWorkingSet64 / 1024 / 1024} MiB managed_after={GC.GetTotalMemory(false) / 1024 / 1024} MiB");

/// <summary>A deterministic stream of realistic events (responses, tool calls, approvals, findings, retrievals) without holding them in memory.</summary>
sealed class SyntheticLog(long count, DateTimeOffset start) : IAuditReader
{
    private static readonly AuditModel Model = new("chat", "offline-2026-01", "local");

    public async IAsyncEnumerable<AuditEventView> QueryAsync(AuditQuery query, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var step = TimeSpan.FromDays(30).Ticks / count;
        for (long i = 0; i < count; i++)
        {
            var kind = i % 10;
            var type = kind switch
            {
                < 5 => AuditEventTypes.ChatResponse, 5 => AuditEventTypes.ToolCall, 6 => AuditEventTypes.ApprovalGranted,
                7 => AuditEventTypes.GuardFinding, 8 => AuditEventTypes.RetrievalQuery, _ => AuditEventTypes.ChatRequest,
            };
            var attrs = kind switch
            {
                5 => new Dictionary<string, string> { ["tool"] = "refund", ["impact"] = "high", ["approval"] = $"ap{i - 5 + 6}" },
                6 => new Dictionary<string, string> { ["approval"] = $"ap{i}" },
                < 5 => new Dictionary<string, string> { ["ai_disclosure"] = "true" },
                _ => new Dictionary<string, string>(),
            };
            yield return new AuditEventView
            {
                Id = $"e{i:D10}", Sequence = i, Time = start.AddTicks(i * step), Type = type, Tenant = i % 3 == 0 ? "globex" : "acme",
                Actor = new AuditActor { Agent = "billing-bot", KeyId = "k" + (i % 50) }, Model = kind < 5 ? Model : null,
                Decision = kind == 7 ? "block" : "allow", Reasons = kind == 7 ? ["injection.override"] : [], InputTokens = 100, OutputTokens = 50,
                Attributes = attrs,
            };
            if (i % 100_000 == 0) await Task.Yield();
        }
    }
}
