using Attest.Scanning;

namespace Attest.Evidence.Model;

/// <summary>Turns a Kubernetes RBAC scan into the posture findings the CC6 control test reads.</summary>
public static class PostureFindings
{
    public static IReadOnlyList<PostureFinding> From(ScanReport report) =>
        [.. report.Findings.Select(f => new PostureFinding(f.RuleId, f.Severity.ToString().ToLowerInvariant(), f.Subject, f.Message,
            $"{f.Location.File}:{f.Location.Line}:{f.Location.Column}", f.Agent))];
}
