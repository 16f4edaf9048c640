using Attest.Scanning.Agents;
using Attest.Scanning.Rules;

namespace Attest.Scanning;

/// <summary>One effective permission of a subject: the rule, where it applies, and the binding and role it comes from.</summary>
public sealed record EffectivePermission(string Scope, string Rule, string Binding, string Role, string? ViaGroup, string Location);

/// <summary>A subject (service account, user or group) and everything it may do.</summary>
public sealed record SubjectPermissions(string Subject, IReadOnlyList<EffectivePermission> Permissions);

/// <summary>
/// The result of a scan: findings in a total, stable order; effective permissions per subject; the agents seen;
/// notes about the input. Same input gives an equal report (no clock, no randomness, no input-order dependence).
/// </summary>
public sealed record ScanReport(
    int Sources,
    int Objects,
    int IgnoredObjects,
    IReadOnlyList<Finding> Findings,
    IReadOnlyList<SubjectPermissions> Subjects,
    IReadOnlyList<AgentView> Agents,
    IReadOnlyList<string> Notes)
{
    /// <summary>Number of findings per severity, highest first, all severities present.</summary>
    public IReadOnlyList<(Severity Severity, int Count)> BySeverity =>
        Enum.GetValues<Severity>().Reverse().Select(s => (s, Findings.Count(f => f.Severity == s))).ToList();

    /// <summary>True when any finding is at or above <paramref name="threshold"/>.</summary>
    public bool Reaches(Severity threshold) => Findings.Any(f => f.Severity >= threshold);

    /// <summary>Findings that test SOC 2 CC6 (all of them: every rule maps to CC6.1, CC6.2 or CC6.3), for the evidence report.</summary>
    public IEnumerable<Finding> ControlFindings(string control) => Findings.Where(f => f.Rule.Controls.Contains(control));
}
