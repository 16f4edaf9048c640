using Attest.Scanning.Model;

namespace Attest.Scanning.Rules;

/// <summary>Finding severity, ordered; <c>--fail-on</c> compares against it.</summary>
public enum Severity
{
    Info = 0,
    Low = 1,
    Medium = 2,
    High = 3,
    Critical = 4,
}

/// <summary>A secondary location of a finding (the binding that grants a rule, a hop of a path).</summary>
public sealed record RelatedLocation(SourceLocation Location, string Message);

/// <summary>One step of an escalation path: what the subject does, who it becomes, and the rule that allows it.</summary>
public sealed record PathHop(int Step, string From, string Action, string To, SourceLocation Location);

/// <summary>
/// One deterministic finding. <see cref="Location"/> points at the offending policy rule, binding or workload;
/// <see cref="Subject"/> is the RBAC subject (or workload) it concerns.
/// </summary>
public sealed record Finding(
    string RuleId,
    Severity Severity,
    string Subject,
    string Message,
    SourceLocation Location,
    IReadOnlyList<RelatedLocation> Related,
    IReadOnlyList<PathHop> Hops,
    string? Agent = null)
{
    public RuleDefinition Rule => RuleCatalog.Get(RuleId);

    /// <summary>Total order used for every output: severity (highest first), rule, location, subject, message.</summary>
    public static int Compare(Finding a, Finding b)
    {
        var c = b.Severity.CompareTo(a.Severity);
        if (c == 0) c = string.CompareOrdinal(a.RuleId, b.RuleId);
        if (c == 0) c = a.Location.CompareTo(b.Location);
        if (c == 0) c = string.CompareOrdinal(a.Subject, b.Subject);
        if (c == 0) c = string.CompareOrdinal(a.Message, b.Message);
        return c;
    }
}
