using Attest.Core.Audit;

namespace Attest.Evidence.ControlTests;

/// <summary>Classes of AI incident that Attest recognises in its log, each with a playbook.</summary>
public static class IncidentClasses
{
    public const string ModelOutage = "model-outage";
    public const string RetrievalDegradation = "retrieval-degradation";
    public const string UnsafeOutput = "unsafe-output";
    public const string Injection = "prompt-injection";
    public const string DataLeak = "data-leak";
    public const string ExcessiveAgency = "excessive-agency";
    public const string CrossTenant = "cross-tenant-access";

    public static readonly string[] All = [ModelOutage, RetrievalDegradation, UnsafeOutput, Injection, DataLeak, ExcessiveAgency, CrossTenant];

    /// <summary>Maps one audit event to an incident class, or null when it is not an incident signal.</summary>
    public static string? Classify(AuditEventView e)
    {
        bool Has(string word) => e.Reasons.Any(r => r.Contains(word, StringComparison.OrdinalIgnoreCase))
            || (e.Attributes.TryGetValue("types", out var t) && t.Contains(word, StringComparison.OrdinalIgnoreCase))
            || (e.Attributes.TryGetValue("code", out var c) && c.Contains(word, StringComparison.OrdinalIgnoreCase));
        switch (e.Type)
        {
            case AuditEventTypes.RetrievalDenied when Has("tenant"): return CrossTenant;
            case AuditEventTypes.RetrievalDenied: return RetrievalDegradation;
            case AuditEventTypes.ToolDenied: return ExcessiveAgency;
            case AuditEventTypes.ChatDenied or AuditEventTypes.GuardFinding or AuditEventTypes.PolicyDecision:
                if (e.Decision is not ("block" or "deny")) return null;
                if (Has("canary") || Has("secret")) return DataLeak;
                if (Has("injection")) return Injection;
                if (Has("upstream") || Has("provider")) return ModelOutage;
                if (Has("schema") || Has("content")) return UnsafeOutput;
                return null;
            default: return null;
        }
    }

    public static string Severity(string cls) => cls switch
    {
        DataLeak or CrossTenant => "high",
        Injection or ExcessiveAgency or UnsafeOutput => "medium",
        _ => "low",
    };
}
