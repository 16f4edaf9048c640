using Attest.Core.Audit;
using Attest.Core.Config;

namespace Attest.Evidence.Model;

/// <summary>A virtual key as the evidence engine sees it (no secret material).</summary>
public sealed record KeyFact(string Id, string Tenant, string? Agent, IReadOnlyList<string> Scopes, IReadOnlyList<string> Models,
    DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt, int? RequestsPerMinute, int? TokensPerMinute);

/// <summary>The result of verifying the audit log (computed by the audit verifier and handed in).</summary>
public sealed record AuditIntegrity
{
    public required bool Verified { get; init; }
    public long Entries { get; init; }
    public int Checkpoints { get; init; }
    /// <summary>True when every entry is covered by a signed checkpoint and checkpoints are consistent with each other.</summary>
    public bool CheckpointsContinuous { get; init; }
    public long? FirstBadIndex { get; init; }
    public string? Problem { get; init; }
    /// <summary>The newest signed checkpoint (signed-note text), cited as evidence for ranges of the log.</summary>
    public string? LatestCheckpoint { get; init; }
    public long LatestCheckpointSize { get; init; }
}

/// <summary>A posture finding from the Kubernetes RBAC scan.</summary>
public sealed record PostureFinding(string RuleId, string Severity, string Subject, string Message, string? Location, string? Agent);

/// <summary>A stored config version (for change-management evidence).</summary>
public sealed record ConfigVersionFact(string Hash, DateTimeOffset LoadedAt, string? Source);

/// <summary>
/// Everything the control tests read. The config is always there; each other input is optional, and
/// a test whose input is absent reports <see cref="ControlStatus.NotComputable"/> instead of passing.
/// </summary>
public sealed record EvidenceInputs
{
    public required PolicySnapshot Policy { get; init; }
    public required DateTimeOffset PeriodStart { get; init; }
    /// <summary>Exclusive end of the period.</summary>
    public required DateTimeOffset PeriodEnd { get; init; }
    public IAuditReader? Audit { get; init; }
    public AuditIntegrity? Integrity { get; init; }
    public IReadOnlyList<KeyFact>? Keys { get; init; }
    public IReadOnlyList<PostureFinding>? Posture { get; init; }
    public IReadOnlyList<ConfigVersionFact>? ConfigVersions { get; init; }
    /// <summary>Files that hold key material, checked for existence by the encryption test (e.g. the audit master key).</summary>
    public IReadOnlyList<string> KeyFiles { get; init; } = [];
}
