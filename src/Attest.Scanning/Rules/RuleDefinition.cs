namespace Attest.Scanning.Rules;

/// <summary>
/// An Attest posture rule: id <c>ATT-K8S-###</c>, default severity, text for reports, SOC 2 criteria it tests,
/// OWASP references (ASI03 agentic identity and privilege abuse, LLM06:2025 excessive agency) and related upstream checks.
/// </summary>
public sealed record RuleDefinition(
    string Id,
    string Name,
    Severity Severity,
    string Title,
    string Description,
    string Remediation,
    IReadOnlyList<string> Controls,
    IReadOnlyList<string> Owasp,
    IReadOnlyList<string> Upstream);
