namespace Attest.Core.Config;

/// <summary>
/// The closed vocabularies of <c>attest.yaml</c> in one place: the validator checks them and the JSON
/// Schema lists them as <c>enum</c>, so both always agree. Keys are <c>Type.Property</c>.
/// </summary>
public static class ConfigVocabulary
{
    public static readonly IReadOnlyList<string> Classifications = ["public", "internal", "confidential", "restricted"];
    public static readonly IReadOnlyList<string> Impacts = ["low", "medium", "high", "critical"];
    public static readonly IReadOnlyList<string> GuardDirections = ["input", "retrieved", "tool", "output"];
    public static readonly IReadOnlyList<string> GuardActions = ["allow", "flag", "redact", "block"];

    /// <summary>Allowed values of string members, by <c>DeclaringType.Property</c>.</summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> Members = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal)
    {
        ["StorageConfig.Kind"] = ["sqlite", "postgres"],
        ["PrincipalConfig.Kind"] = ["user", "service", "admin"],
        ["ProviderConfig.Type"] = ["openai", "anthropic", "offline"],
        ["ProviderConfig.MaxClassification"] = Classifications,
        ["ModelConfig.Kind"] = ["chat", "embedding"],
        ["AgentConfig.Impact"] = Impacts,
        ["AgentConfig.ProposedToolPolicy"] = ["remove", "block"],
        ["AgentToolConfig.Approval"] = ["never", "always", "when", "impact"],
        ["ToolConfig.Kind"] = ["http", "mcp"],
        ["ToolConfig.Method"] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"],
        ["ToolConfig.Impact"] = Impacts,
        ["ConnectorConfig.Classification"] = Classifications,
        ["GuardPolicyConfig.RedactionMode"] = ["placeholder", "hash", "pseudonymize"],
        ["GuardPolicyConfig.OnSchemaFailure"] = ["block", "retry"],
    };

    /// <summary>String members that hold a duration (<see cref="Durations"/>), by <c>DeclaringType.Property</c>.</summary>
    public static readonly IReadOnlySet<string> DurationMembers = new HashSet<string>(StringComparer.Ordinal)
    {
        "ConnectorConfig.Retention", "RetentionConfig.Keep", "ApprovalsConfig.Expiry", "ApprovalsConfig.WaitTimeout", "BreakGlassConfig.MaxDuration",
    };

    /// <summary>Allowed values for a member, or null when it is free text.</summary>
    public static IReadOnlyList<string>? For(Type declaringType, string property) =>
        Members.TryGetValue($"{declaringType.Name}.{property}", out var v) ? v : null;

    public static bool IsDuration(Type declaringType, string property) => DurationMembers.Contains($"{declaringType.Name}.{property}");
}
