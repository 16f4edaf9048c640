namespace Attest.Agents.Gate;

/// <summary>How a gated tool call ended.</summary>
public enum GateStatus
{
    /// <summary>The tool ran; <see cref="GateOutcome.Result"/> holds its (guarded) output.</summary>
    Completed,
    /// <summary>Refused; <see cref="GateOutcome.Code"/> says why.</summary>
    Denied,
    /// <summary>Waiting for a human; <see cref="GateOutcome.ApprovalId"/> names the approval.</summary>
    ApprovalPending,
}

/// <summary>The gate's answer: a value, never an exception. Error codes are stable API.</summary>
public sealed record GateOutcome
{
    public required GateStatus Status { get; init; }
    /// <summary>HTTP status that fits: 200, 202, 400, 403, 404, 502, 503.</summary>
    public int HttpStatus { get; init; } = 200;
    public string? Code { get; init; }
    public string? Message { get; init; }
    public string? Param { get; init; }
    public string? ApprovalId { get; init; }
    public DateTimeOffset? ApprovalExpiresAt { get; init; }
    public string? Result { get; init; }
    public string ContentType { get; init; } = "text/plain";
    /// <summary>The upstream tool reported an error (the call itself was allowed and made).</summary>
    public bool ToolError { get; init; }
    public int? UpstreamStatus { get; init; }
    /// <summary>Break-glass session under which the approval gate was bypassed.</summary>
    public string? BreakGlassId { get; init; }

    public static GateOutcome Deny(int status, string code, string message, string? param = null) =>
        new() { Status = GateStatus.Denied, HttpStatus = status, Code = code, Message = message, Param = param };
}

/// <summary>Stable error codes of the tool gate, approvals, messages and break-glass.</summary>
public static class GateCodes
{
    public const string AgentUnknown = "agent_unknown";
    public const string ToolNotAllowed = "tool_not_allowed";
    public const string InvalidArguments = "invalid_arguments";
    public const string ConstraintViolation = "constraint_violation";
    public const string PolicyError = "policy_error";
    public const string GuardBlocked = "guard_blocked";
    public const string ApprovalRequired = "approval_required";
    public const string ApprovalPending = "approval_pending";
    public const string ApprovalMismatch = "approval_mismatch";
    public const string ApprovalNotFound = "approval_not_found";
    public const string ApprovalDenied = "approval_denied";
    public const string ApprovalExpired = "approval_expired";
    public const string ApprovalUsed = "approval_used";
    public const string AuditUnavailable = "audit_unavailable";
    public const string GateUnavailable = "gate_unavailable";
    public const string ToolUnavailable = "tool_unavailable";
    public const string NotAnApprover = "not_an_approver";
    public const string SelfApproval = "self_approval";
    public const string ApprovalNotPending = "approval_not_pending";
    public const string ReasonRequired = "reason_required";
    public const string NotAdmin = "not_admin";
    public const string InvalidDuration = "invalid_duration";
    public const string BreakGlassNotActive = "breakglass_not_active";
    public const string MessageNotAllowed = "message_not_allowed";
    public const string InvalidMessage = "invalid_message";
}
