using Attest.Core.Agents;
using Attest.Core.Audit;
using Attest.Core.Guards;
using Attest.Core.Identity;

namespace Attest.Extensions.AI;

/// <summary>
/// What <see cref="AttestChatClient"/> enforces in-process. Only <see cref="Identity"/> is required;
/// every hook left null is skipped (no guards, no tool policy), and audit defaults to
/// <see cref="NullAuditLog"/>. Treat an instance as immutable once handed to a client; it is then
/// safe to share across threads.
/// </summary>
public sealed class AttestChatClientOptions
{
    /// <summary>Resolves the caller for each call (tenant, agent, end user). Required.</summary>
    public required Func<RequestIdentity> Identity { get; init; }
    /// <summary>Guards for input messages, the answer and streamed chunks. Default null: content passes through.</summary>
    public IGuardPipeline? Guards { get; init; }
    /// <summary>Where <c>chat.request</c>, <c>chat.response</c> and <c>chat.denied</c> go. Default <see cref="NullAuditLog"/>. An append that throws denies the call.</summary>
    public IAuditLog Audit { get; init; } = NullAuditLog.Instance;
    /// <summary>Checks tool calls the model proposes. Default null: calls pass through.</summary>
    public IToolCallPolicy? ToolPolicy { get; init; }
    /// <summary>Model alias recorded in audit events. Default <c>in-process</c>.</summary>
    public string ModelAlias { get; init; } = "in-process";
    /// <summary>Provider name recorded in audit events. Default <c>in-process</c>.</summary>
    public string Provider { get; init; } = "in-process";
    /// <summary>Clock for latency. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;
}

/// <summary>
/// Thrown when Attest refuses a call in-process. <see cref="Code"/> is the same stable code the
/// gateway answers with (<c>guard_blocked</c>, <c>tool_not_allowed</c>, <c>audit_unavailable</c>).
/// </summary>
public sealed class AttestPolicyException(string code, string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>Stable error code.</summary>
    public string Code { get; } = code;
}
