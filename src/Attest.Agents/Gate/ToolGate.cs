using Attest.Agents.Approvals;
using Attest.Agents.BreakGlass;
using Attest.Agents.Execution;
using Attest.Agents.Policy;
using Attest.Core.Audit;
using Attest.Core.Config;
using Attest.Core.Guards;
using Attest.Core.Identity;
using Microsoft.Extensions.Logging;

namespace Attest.Agents.Gate;

/// <summary>
/// The one gate every agent tool call passes, over HTTP and MCP alike: agent and allow-list (deny by default),
/// argument schema, constraints, argument guards, the approval rule (or an active break-glass session, recorded as
/// such), the call itself, result guards, and an audit event for every step. Decisions are values; an audit failure
/// denies (fail closed). Thread-safe.
/// </summary>
public sealed partial class ToolGate(
    IPolicySource policy,
    IApprovalStore approvals,
    ApprovalService approvalService,
    BreakGlassService breakGlass,
    ToolInvoker invoker,
    IAuditLog audit,
    TimeProvider time,
    ILogger<ToolGate> logger,
    IGuardPipeline? guards = null)
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    public async Task<GateOutcome> InvokeAsync(RequestIdentity identity, string toolId, string argumentsJson, string? approvalId, CancellationToken cancellationToken)
    {
        try { return await InvokeCoreAsync(identity, toolId, argumentsJson, approvalId, cancellationToken); }
        catch (Exception e) when (e is not OperationCanceledException) // fail closed: storage, audit or guard infrastructure failed
        {
            LogAuditFailed(logger, toolId, e.GetType().Name);
            return await DenyAsync(identity, toolId, null, GateOutcome.Deny(503, GateCodes.GateUnavailable, "the tool gate could not decide (audit, approvals store or guards unavailable); the call was not made"), cancellationToken);
        }
    }

    private async Task<GateOutcome> InvokeCoreAsync(RequestIdentity identity, string toolId, string argumentsJson, string? approvalId, CancellationToken cancellationToken)
    {
        var snapshot = policy.Current;
        var (agent, tool, args, denial) = GatePolicy.Check(AgentCatalog.For(snapshot), identity, toolId, argumentsJson);
        if (denial is not null) return await DenyAsync(identity, toolId, null, denial, cancellationToken);
        using var _ = args;
        var hash = CanonicalJson.Hash(args!.RootElement);
        var canonical = CanonicalJson.Canonicalize(args.RootElement);
        identity = identity with { Tenant = agent!.Tenant };

        if (guards is not null)
        {
            var verdict = await guards.EvaluateAsync(canonical, new GuardContext { Direction = GuardDirection.ToolArguments, Identity = identity, Tool = toolId }, cancellationToken);
            if (verdict.Action == GuardAction.Block)
                return await DenyAsync(identity, toolId, hash, GateOutcome.Deny(403, GateCodes.GuardBlocked,
                    verdict.Faulted ? "the argument guards failed; the call is denied" : "the arguments were blocked by policy: " + string.Join(", ", verdict.Reasons), "arguments"), cancellationToken);
        }

        var (needed, rule) = GatePolicy.NeedsApproval(agent, tool!, args.RootElement);
        string? usedApproval = null, breakGlassId = null;
        if (needed)
        {
            var bg = await breakGlass.ActiveForAsync(identity.Tenant, agent.Id, cancellationToken);
            if (bg is not null) breakGlassId = bg.Id;
            else
            {
                var (approved, outcome) = await ResolveApprovalAsync(identity, toolId, hash, canonical, rule, approvalId, snapshot, cancellationToken);
                if (outcome is not null) return outcome;
                usedApproval = approved;
            }
        }
        return await ExecuteAsync(identity, tool!, canonical, hash, rule, usedApproval, breakGlassId, snapshot, cancellationToken);
    }

    private async Task<(string? Approved, GateOutcome? Outcome)> ResolveApprovalAsync(RequestIdentity who, string toolId, string hash, string canonical,
        string rule, string? approvalId, PolicySnapshot snapshot, CancellationToken ct)
    {
        await approvalService.ExpireDueAsync(ct); // so an expiry is recorded before it is reported
        var now = time.GetUtcNow();
        var requesterKey = who.KeyId ?? "";
        if (approvalId is not null)
        {
            if (await approvals.ConsumeAsync(approvalId, who.Agent!, toolId, hash, requesterKey, now, ct))
                return (await RecordUsedAsync(who, toolId, hash, approvalId, ct), null);
            return (null, await DenyAsync(who, toolId, hash, await DiagnoseAsync(approvalId, who, toolId, hash, now, ct), ct));
        }
        var live = await approvals.FindLiveAsync(who.Agent!, toolId, hash, requesterKey, now, ct);
        if (live is null)
        {
            live = new Approval
            {
                Id = ApprovalService.NewId(), Tenant = who.Tenant, Agent = who.Agent!, Tool = toolId, ArgsHash = hash,
                RequesterKey = requesterKey, RequesterPrincipal = who.Principal, State = ApprovalStates.Pending,
                Rule = rule, Arguments = canonical, CreatedAt = now,
                ExpiresAt = now + (Durations.TryParse(snapshot.Config.Approvals.Expiry, out var e) && e > TimeSpan.Zero ? e : TimeSpan.FromHours(1)),
            };
            await audit.AppendAsync(AgentAudit.For(AuditEventTypes.ApprovalRequested, who, "approvals", "pending", [rule],
                new() { ["approval"] = live.Id, ["tool"] = toolId, ["expires_at"] = live.ExpiresAt.ToString("O") }, new() { ["arguments"] = hash }), ct);
            await approvals.CreateAsync(live, ct);
            LogApprovalRequested(logger, live.Id, who.Agent!, toolId);
        }
        var wait = Durations.TryParse(snapshot.Config.Approvals.WaitTimeout, out var w) ? w : TimeSpan.Zero;
        var started = time.GetTimestamp();
        while (true)
        {
            if (live.State == ApprovalStates.Granted)
            {
                if (await approvals.ConsumeAsync(live.Id, who.Agent!, toolId, hash, requesterKey, time.GetUtcNow(), ct))
                    return (await RecordUsedAsync(who, toolId, hash, live.Id, ct), null);
                return (null, await DenyAsync(who, toolId, hash, await DiagnoseAsync(live.Id, who, toolId, hash, time.GetUtcNow(), ct), ct));
            }
            if (live.State != ApprovalStates.Pending)
                return (null, await DenyAsync(who, toolId, hash, await DiagnoseAsync(live.Id, who, toolId, hash, time.GetUtcNow(), ct), ct));
            if (time.GetElapsedTime(started) >= wait) break;
            await Task.Delay(PollInterval, ct);
            live = await approvals.GetAsync(live.Id, ct) ?? live;
        }
        return (null, new GateOutcome
        {
            Status = GateStatus.ApprovalPending, HttpStatus = 202, Code = GateCodes.ApprovalRequired, ApprovalId = live.Id, ApprovalExpiresAt = live.ExpiresAt,
            Message = $"tool '{toolId}' needs approval ({rule}); approval {live.Id} is pending. Call again with the same arguments once an approver has granted it.",
        });
    }

    private async Task<string> RecordUsedAsync(RequestIdentity who, string toolId, string hash, string approvalId, CancellationToken ct)
    {
        await audit.AppendAsync(AgentAudit.For(AuditEventTypes.ApprovalUsed, who, "approvals", "allow", [$"approval:{approvalId}"],
            new() { ["approval"] = approvalId, ["tool"] = toolId }, new() { ["arguments"] = hash }), ct);
        return approvalId;
    }

    private async Task<GateOutcome> DiagnoseAsync(string id, RequestIdentity who, string toolId, string hash, DateTimeOffset now, CancellationToken ct)
    {
        var a = await approvals.GetAsync(id, ct);
        if (a is null) return GateOutcome.Deny(404, GateCodes.ApprovalNotFound, $"no approval '{id}'", "approval_id");
        if (a.Agent != who.Agent || a.Tool != toolId || a.ArgsHash != hash || (a.RequesterKey ?? "") != (who.KeyId ?? ""))
            return GateOutcome.Deny(403, GateCodes.ApprovalMismatch, $"approval '{id}' was given for a different agent, tool, requester or arguments", "approval_id");
        if (a.Used) return GateOutcome.Deny(403, GateCodes.ApprovalUsed, $"approval '{id}' has already been used", "approval_id");
        if (a.State == ApprovalStates.Denied) return GateOutcome.Deny(403, GateCodes.ApprovalDenied, $"approval '{id}' was denied by {a.Approver}", "approval_id");
        if (a.State == ApprovalStates.Expired || a.ExpiresAt <= now) return GateOutcome.Deny(403, GateCodes.ApprovalExpired, $"approval '{id}' expired at {a.ExpiresAt:O}", "approval_id");
        if (a.State == ApprovalStates.Pending)
            return new GateOutcome { Status = GateStatus.ApprovalPending, HttpStatus = 202, Code = GateCodes.ApprovalPending, ApprovalId = id, ApprovalExpiresAt = a.ExpiresAt, Message = $"approval '{id}' is still pending" };
        return GateOutcome.Deny(403, GateCodes.ApprovalUsed, $"approval '{id}' could not be used", "approval_id");
    }

    private async Task<GateOutcome> ExecuteAsync(RequestIdentity who, AgentTool tool, string canonical, string hash, string rule,
        string? approvalId, string? breakGlassId, PolicySnapshot snapshot, CancellationToken ct)
    {
        var toolId = tool.Tool.Id;
        var attrs = new Dictionary<string, string> { ["tool"] = toolId, ["kind"] = tool.Tool.Kind, ["rule"] = rule, ["impact"] = Impact(tool, who, snapshot) };
        if (approvalId is not null) attrs["approval"] = approvalId;
        if (breakGlassId is not null) { attrs["breakglass"] = breakGlassId; attrs["approval_bypass"] = "breakglass"; }
        try
        {
            await audit.AppendAsync(AgentAudit.For(AuditEventTypes.ToolCall, who, "tool-calls", "allow", breakGlassId is null ? [rule] : [rule, $"breakglass:{breakGlassId}"],
                attrs, new() { ["arguments"] = hash }), ct);
        }
        catch (Exception e) when (e is not OperationCanceledException) // fail closed: no record, no call
        {
            LogAuditFailed(logger, toolId, e.GetType().Name);
            return await DenyAsync(who, toolId, hash, GateOutcome.Deny(503, GateCodes.AuditUnavailable, "the audit log is unavailable; the call was not made"), ct);
        }
        ToolExecution result;
        try { result = await invoker.InvokeAsync(tool.Tool, canonical, snapshot, ct); }
        catch (ToolUnavailableException e)
        {
            LogToolUnavailable(logger, toolId, who.Agent!);
            return await DenyAsync(who, toolId, hash, GateOutcome.Deny(502, GateCodes.ToolUnavailable, e.Message), ct, attrs);
        }
        var text = result.Text;
        var decision = "allow";
        if (guards is not null)
        {
            var verdict = await guards.EvaluateAsync(text, new GuardContext { Direction = GuardDirection.ToolResult, Identity = who with { BreakGlass = breakGlassId is not null }, Tool = toolId }, ct);
            if (verdict.Action == GuardAction.Block)
            {
                await audit.AppendAsync(AgentAudit.For(AuditEventTypes.ToolResult, who, "tool-calls", "block", verdict.Reasons, attrs, new() { ["result"] = Sha(text) }), ct);
                return GateOutcome.Deny(403, GateCodes.GuardBlocked, verdict.Faulted ? "the result guards failed; the result is withheld" : "the tool result was blocked by policy: " + string.Join(", ", verdict.Reasons));
            }
            if (verdict.Action == GuardAction.Redact) decision = "redact";
            else if (verdict.Action == GuardAction.Flag) decision = "flag";
            text = verdict.Text;
        }
        var resultAttrs = new Dictionary<string, string>(attrs) { ["tool_error"] = result.IsError ? "true" : "false", ["chars"] = text.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        if (result.UpstreamStatus is { } s) resultAttrs["upstream_status"] = s.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await audit.AppendAsync(AgentAudit.For(AuditEventTypes.ToolResult, who, "tool-calls", decision, [], resultAttrs, new() { ["result"] = Sha(text) }), ct);
        LogCompleted(logger, toolId, who.Agent!, decision);
        return new GateOutcome
        {
            Status = GateStatus.Completed, Result = text, ContentType = result.ContentType, ToolError = result.IsError,
            UpstreamStatus = result.UpstreamStatus, BreakGlassId = breakGlassId, ApprovalId = approvalId,
        };
    }

    private async Task<GateOutcome> DenyAsync(RequestIdentity who, string toolId, string? hash, GateOutcome denial, CancellationToken ct, Dictionary<string, string>? extra = null)
    {
        LogDenied(logger, toolId, who.Agent ?? "-", denial.Code ?? "-");
        if (denial.Status == GateStatus.ApprovalPending) return denial;
        var attrs = new Dictionary<string, string>(extra ?? []) { ["tool"] = toolId, ["code"] = denial.Code ?? "" };
        try
        {
            await audit.AppendAsync(AgentAudit.For(AuditEventTypes.ToolDenied, who, "tool-calls", "deny", [denial.Code ?? "denied"], attrs,
                hash is null ? null : new() { ["arguments"] = hash }), ct);
        }
        catch (Exception e) when (e is not OperationCanceledException) { LogAuditFailed(logger, toolId, e.GetType().Name); } // already denying
        return denial;
    }

    private static string Sha(string text) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));

    [LoggerMessage(EventId = 7001, Level = LogLevel.Information, Message = "tool {Tool} by agent {Agent}: {Decision}")]
    private static partial void LogCompleted(ILogger logger, string tool, string agent, string decision);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Information, Message = "tool {Tool} by agent {Agent} denied: {Code}")]
    private static partial void LogDenied(ILogger logger, string tool, string agent, string code);

    [LoggerMessage(EventId = 7003, Level = LogLevel.Information, Message = "approval {Approval} requested by agent {Agent} for tool {Tool}")]
    private static partial void LogApprovalRequested(ILogger logger, string approval, string agent, string tool);

    [LoggerMessage(EventId = 7004, Level = LogLevel.Error, Message = "gate infrastructure failed for tool {Tool} ({Error}); denying")]
    private static partial void LogAuditFailed(ILogger logger, string tool, string error);

    [LoggerMessage(EventId = 7005, Level = LogLevel.Warning, Message = "tool {Tool} unavailable for agent {Agent}")]
    private static partial void LogToolUnavailable(ILogger logger, string tool, string agent);

    private static readonly string[] ImpactOrder = ["low", "medium", "high", "critical"];

    /// <summary>The call's decision impact for evidence: the higher of the tool's and the agent's level.</summary>
    private static string Impact(AgentTool tool, RequestIdentity who, PolicySnapshot snapshot)
    {
        var agentImpact = who.Agent is not null && snapshot.Agents.TryGetValue(who.Agent, out var agent) ? agent.Impact ?? "low" : "low";
        return Array.IndexOf(ImpactOrder, tool.Tool.Impact) >= Array.IndexOf(ImpactOrder, agentImpact) ? tool.Tool.Impact : agentImpact;
    }
}
