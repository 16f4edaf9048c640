using Attest.Scanning;
using Attest.Scanning.Output;
using Attest.Scanning.Rules;

namespace Attest.Cli.Demo;

/// <summary>Scans the embedded samples/k8s manifests: agents' service accounts, an escalation path, a borrowed credential.</summary>
internal sealed class ScanDemoStep : IDemoStep
{
    public int Order => 90;
    public string Title => "Kubernetes RBAC posture of the agents' service accounts (attest scan k8s)";
    public string Controls => "CC6.1, CC6.2, CC6.3";

    public Task<bool> RunAsync(DemoContext context, CancellationToken cancellationToken)
    {
        var sources = SampleManifests();
        var report = K8sScanner.Scan(sources);
        var again = K8sScanner.Scan(Enumerable.Reverse(sources));
        var deterministic = SarifWriter.Write(report) == SarifWriter.Write(again);
        context.Items[EvidenceDemoStep.PostureItemKey] = Attest.Evidence.Model.PostureFindings.From(report);
        context.Say($"scanned {report.Objects} objects from {sources.Count} embedded manifests: {report.Subjects.Count} subjects, {report.Agents.Count} agent service accounts");
        context.Say($"{report.Findings.Count} findings: " + string.Join(", ", report.BySeverity.Where(s => s.Count > 0).Select(s => $"{s.Count} {s.Severity.ToString().ToLowerInvariant()}")));
        var shown = report.Findings.Where(f => f.Severity == Severity.Critical)
            .Concat(report.Findings.Where(f => f.RuleId is "ATT-K8S-024" or "ATT-K8S-025").GroupBy(f => f.RuleId).Select(g => g.First()));
        foreach (var f in shown)
            context.Say($"{f.Severity.ToString().ToUpperInvariant(),-8} {f.RuleId} [{string.Join(",", f.Rule.Controls)}] {f.Location}: {Shorten(f.Message)}");
        context.Say($"CC6.3 (least privilege) findings: {report.ControlFindings("CC6.3").Count()}; CC6.2 (credentials): {report.ControlFindings("CC6.2").Count()}; same input, reversed order -> byte-identical SARIF: {deterministic}");
        var ok = deterministic
            && report.Findings.Any(f => f.RuleId == "ATT-K8S-023" && f.Severity == Severity.Critical)
            && report.Findings.Any(f => f.RuleId == "ATT-K8S-024")
            && report.Findings.Any(f => f.RuleId == "ATT-K8S-025");
        return Task.FromResult(ok);
    }

    private static string Shorten(string message) => message.Length <= 160 ? message : message[..157] + "...";

    private static List<K8sSource> SampleManifests()
    {
        var assembly = typeof(ScanDemoStep).Assembly;
        var list = new List<K8sSource>();
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith("samples/k8s/", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream);
            list.Add(new K8sSource(name, reader.ReadToEnd()));
        }
        return list;
    }
}
