using System.Security.Cryptography;
using Attest.Agents.Gate;
using Attest.Core.Audit;
using Attest.Core.Config;

namespace Attest.Agents.Approvals;

/// <summary>Who is deciding: the principal bound to the presenting key (or named with <c>--as</c> on the CLI).</summary>
public sealed record ApproverIdentity(string? Principal, string? KeyId, string? Agent, string? Tenant = null);

/// <summary>Outcome of approve/deny: ok, or a stable error code with its HTTP status.</summary>
public sealed record ApprovalDecision(bool Ok, Approval? Approval, int HttpStatus = 200, string? Code = null, string? Message = null);

/// <summary>
/// Human decisions on pending approvals. The approver must hold <c>approvals.approverRole</c>, must not be the
/// requester, and must not decide with the agent's own key. Every decision and every expiry is an audit event
/// written before the answer (fail closed: an audit failure surfaces as an exception). Thread-safe.
/// </summary>
public sealed class ApprovalService(IApprovalStore store, IPolicySource policy, IAuditLog audit, TimeProvider time)
{
    public static string NewId() => "apr_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));

    public async Task<IReadOnlyList<Approval>> ListAsync(string? state, int limit, CancellationToken cancellationToken)
    {
        await ExpireDueAsync(cancellationToken);
        return await store.ListAsync(state, limit, cancellationToken);
    }

    public Task<ApprovalDecision> ApproveAsync(string id, ApproverIdentity who, string? reason, CancellationToken cancellationToken) =>
        DecideAsync(id, who, grant: true, reason, cancellationToken);

    public Task<ApprovalDecision> DenyAsync(string id, ApproverIdentity who, string? reason, CancellationToken cancellationToken) =>
        DecideAsync(id, who, grant: false, reason, cancellationToken);

    private async Task<ApprovalDecision> DecideAsync(string id, ApproverIdentity who, bool grant, string? reason, CancellationToken cancellationToken)
    {
        await ExpireDueAsync(cancellationToken);
        var snapshot = policy.Current;
        var role = snapshot.Config.Approvals.ApproverRole;
        if (who.Principal is null || !snapshot.Principals.TryGetValue(who.Principal, out var principal) || !principal.Roles.Contains(role, StringComparer.Ordinal))
            return Fail(403, GateCodes.NotAnApprover, $"principal '{who.Principal ?? "(none)"}' does not hold the '{role}' role");
        if (string.IsNullOrWhiteSpace(reason)) return Fail(400, GateCodes.ReasonRequired, "a reason is required");
        var approval = await store.GetAsync(id, cancellationToken);
        if (approval is null) return Fail(404, GateCodes.ApprovalNotFound, $"no approval '{id}'");
        if (principal.Tenant is { Length: > 0 } t && t != approval.Tenant)
            return Fail(403, GateCodes.NotAnApprover, $"principal '{who.Principal}' may not decide for tenant '{approval.Tenant}'");
        if (who.Principal == approval.RequesterPrincipal || (who.KeyId is not null && who.KeyId == approval.RequesterKey) || who.Agent == approval.Agent)
            return Fail(403, GateCodes.SelfApproval, "the requester (or the agent's own key) cannot decide its own approval");
        var now = time.GetUtcNow();
        var state = grant ? ApprovalStates.Granted : ApprovalStates.Denied;
        if (!await store.DecideAsync(id, state, who.Principal, who.KeyId, reason.Trim(), now, cancellationToken))
        {
            var current = await store.GetAsync(id, cancellationToken);
            return Fail(409, GateCodes.ApprovalNotPending, $"approval '{id}' is {current?.State ?? "gone"}, not pending");
        }
        await audit.AppendAsync(AgentAudit.ForPrincipal(grant ? AuditEventTypes.ApprovalGranted : AuditEventTypes.ApprovalDenied,
            approval.Tenant, who.Principal, who.KeyId, "approvals", grant ? "allow" : "deny", [$"approval:{id}"],
            new() { ["approval"] = id, ["agent"] = approval.Agent, ["tool"] = approval.Tool, ["args_hash"] = approval.ArgsHash }), cancellationToken);
        return new ApprovalDecision(true, await store.GetAsync(id, cancellationToken));
    }

    /// <summary>Expires due approvals and records an <c>approval.expired</c> event for each.</summary>
    public async Task<int> ExpireDueAsync(CancellationToken cancellationToken)
    {
        var expired = await store.ExpireDueAsync(time.GetUtcNow(), cancellationToken);
        foreach (var a in expired)
        {
            await audit.AppendAsync(new AuditRecord
            {
                Type = AuditEventTypes.ApprovalExpired,
                Tenant = a.Tenant,
                Actor = new AuditActor { Agent = a.Agent, KeyId = a.RequesterKey, Principal = a.RequesterPrincipal },
                Subject = $"{a.Tenant}/tenant",
                DataClass = "approvals",
                Decision = "deny",
                Reasons = [$"approval:{a.Id}"],
                Attributes = new Dictionary<string, string> { ["approval"] = a.Id, ["tool"] = a.Tool, ["args_hash"] = a.ArgsHash },
            }, cancellationToken);
        }
        return expired.Count;
    }

    private static ApprovalDecision Fail(int status, string code, string message) => new(false, null, status, code, message);
}
