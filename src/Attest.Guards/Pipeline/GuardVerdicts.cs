using Attest.Core.Guards;

namespace Attest.Guards.Pipeline;

/// <summary>Helpers for callers that act on verdicts (the gateway's retry of a schema failure).</summary>
public static class GuardVerdicts
{
    /// <summary>Reason added when structured output failed its schema and the policy asks for one retry.</summary>
    public const string SchemaRetryReason = "schema.retry";

    /// <summary>True when the block is only a schema failure and the policy allows one retry; the caller retries once, then blocks.</summary>
    public static bool SchemaRetryRequested(this GuardVerdict verdict) =>
        verdict.Action == GuardAction.Block && !verdict.Faulted && verdict.Reasons.Contains(SchemaRetryReason, StringComparer.Ordinal);

    /// <summary>A fail-closed block.</summary>
    public static GuardVerdict Faulted(string reason, IReadOnlyList<GuardFinding>? findings = null) => new()
    {
        Action = GuardAction.Block,
        Text = "",
        Faulted = true,
        Reasons = [reason],
        Findings = findings ?? [],
    };
}
