using Attest.Evidence;
using Attest.Evidence.Export;
using Attest.Evidence.Model;
using Attest.Server.Evidence;
using Attest.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Attest.Cli.Demo;

/// <summary>The demo ends with the evidence pack computed from what the earlier steps did, verified, and where to open it.</summary>
internal sealed class EvidenceDemoStep : IDemoStep
{
    /// <summary>Key under which the RBAC scan step leaves its findings as <c>IReadOnlyList&lt;PostureFinding&gt;</c>.</summary>
    public const string PostureItemKey = "evidence.posture";
    public int Order => 100;
    public string Title => "Evidence pack from what actually ran";
    public string Controls => "CC4.1, CC2.1 (all mapped criteria)";

    public async Task<bool> RunAsync(DemoContext context, CancellationToken cancellationToken)
    {
        var policy = context.Policy.Current;
        var db = context.Server.Services.GetRequiredService<AttestDatabase>();
        var now = TimeProvider.System.GetUtcNow();
        var period = ReportPeriod.LastDays(now, 1);
        var inputs = await EvidenceCollector.CollectAsync(policy, db, period.Start, period.End, context.Items.GetValueOrDefault(PostureItemKey) as IReadOnlyList<PostureFinding>, cancellationToken);
        var run = await EvidenceEngine.RunAsync(inputs, TimeProvider.System, cancellationToken: cancellationToken);
        var outDir = Path.Combine(context.WorkDirectory, "evidence");
        using var key = EvidenceSigningKey.LoadOrCreate(policy);
        ReportWriter.Write(ReportBundle.From(run), outDir, key);
        var c = run.Controls;
        context.Say($"{c.Count} controls: {c.Count(x => x.Result.Status == ControlStatus.Pass)} pass, {c.Count(x => x.Result.Status == ControlStatus.Fail)} fail, "
            + $"{c.Count(x => x.Result.Status is ControlStatus.NeedsAttention or ControlStatus.NotComputable)} need attention, from {run.EventsRead} audit events");
        foreach (var gap in run.Readiness.Criteria.Where(x => x.Status == ReadinessStatus.Gap).SelectMany(x => x.Gaps).Distinct().Take(3))
            context.Say($"gap: {gap}");
        using var pub = System.Security.Cryptography.ECDsa.Create();
        pub.ImportFromPem(key.ExportSubjectPublicKeyInfoPem());
        var verified = EvidencePack.Verify(Path.Combine(outDir, "evidence.zip"), pub);
        context.Say($"evidence.zip signed with key {EvidencePack.KeyId(key)}; verification: {(verified.Valid ? "OK" : string.Join("; ", verified.Problems))}");
        context.Say($"open {Path.Combine(outDir, "index.html")} (OSCAL, Markdown and JSON beside it); run the demo with --keep to keep it");
        return verified.Valid && run.EventsRead > 0 && File.Exists(Path.Combine(outDir, "oscal-assessment-results.json"));
    }
}
