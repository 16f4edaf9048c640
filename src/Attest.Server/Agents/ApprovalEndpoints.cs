using Attest.Agents.Approvals;
using Attest.Core.Config;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Attest.Server.Agents;

/// <summary><c>GET /v1/approvals</c>, <c>POST /v1/approvals/{id}/approve</c> and <c>/deny</c> with <c>{"reason": "..."}</c>.</summary>
internal static class ApprovalEndpoints
{
    public static void Map(IEndpointRouteBuilder e)
    {
        e.MapGet("/v1/approvals", ListAsync);
        e.MapPost("/v1/approvals/{id}/approve", (string id, HttpContext http, ApprovalService s, CancellationToken ct) => DecideAsync(id, true, http, s, ct));
        e.MapPost("/v1/approvals/{id}/deny", (string id, HttpContext http, ApprovalService s, CancellationToken ct) => DecideAsync(id, false, http, s, ct));
    }

    private static async Task<IResult> ListAsync(HttpContext http, ApprovalService service, IPolicySource policy, string? state, CancellationToken ct)
    {
        var (identity, _, authError) = await AgentsHttp.AuthenticateAsync(http, ct);
        if (authError is not null) return authError;
        if (state is not (null or ApprovalStates.Pending or ApprovalStates.Granted or ApprovalStates.Denied or ApprovalStates.Expired))
            return AgentsHttp.Error(400, "invalid_state", "state must be pending, granted, denied or expired", "state");
        var snapshot = policy.Current;
        var approver = identity!.Principal is { } p && snapshot.Principals.TryGetValue(p, out var pc) && pc.Roles.Contains(snapshot.Config.Approvals.ApproverRole, StringComparer.Ordinal);
        var all = await service.ListAsync(state, 200, ct);
        // Approvers see their tenant's approvals; an agent sees only the approvals it requested.
        var visible = all.Where(a => a.Tenant == identity.Tenant && (approver || (identity.Agent is not null && a.Agent == identity.Agent)));
        return Results.Json(new { data = visible.Select(View) });
    }

    private static async Task<IResult> DecideAsync(string id, bool grant, HttpContext http, ApprovalService service, CancellationToken ct)
    {
        var (identity, key, authError) = await AgentsHttp.AuthenticateAsync(http, ct);
        if (authError is not null) return authError;
        if (AgentsHttp.RequireScope(key!, "approve") is { } scopeError) return scopeError;
        var (body, bodyError) = await AgentsHttp.ReadObjectAsync(http.Request, ct);
        if (bodyError is not null) return bodyError;
        using (body)
        {
            var who = new ApproverIdentity(identity!.Principal, identity.KeyId, identity.Agent, identity.Tenant);
            var reason = AgentsHttp.String(body!.RootElement, "reason");
            var result = grant ? await service.ApproveAsync(id, who, reason, ct) : await service.DenyAsync(id, who, reason, ct);
            return result.Ok ? Results.Json(View(result.Approval!)) : AgentsHttp.Error(result.HttpStatus, result.Code!, result.Message!, result.Code == "reason_required" ? "reason" : null);
        }
    }

    internal static object View(Approval a) => new
    {
        id = a.Id, tenant = a.Tenant, agent = a.Agent, tool = a.Tool, args_hash = a.ArgsHash, arguments = a.Arguments, rule = a.Rule,
        state = a.State, used = a.Used, requester = a.RequesterPrincipal ?? a.RequesterKey, approver = a.Approver, reason = a.Reason,
        created_at = a.CreatedAt, expires_at = a.ExpiresAt, decided_at = a.DecidedAt, used_at = a.UsedAt,
    };
}
