using Attest.Agents.BreakGlass;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Attest.Server.Agents;

/// <summary><c>POST /admin/breakglass</c> with <c>{"action":"start","reason","duration","agent"}</c> or <c>{"action":"end","id"}</c>; <c>GET /admin/breakglass</c> lists active sessions.</summary>
internal static class BreakGlassEndpoints
{
    public static void Map(IEndpointRouteBuilder e)
    {
        e.MapPost("/admin/breakglass", PostAsync);
        e.MapGet("/admin/breakglass", GetAsync);
    }

    private static async Task<IResult> PostAsync(HttpContext http, BreakGlassService service, CancellationToken ct)
    {
        var (identity, _, authError) = await AgentsHttp.AuthenticateAsync(http, ct);
        if (authError is not null) return authError;
        var (body, bodyError) = await AgentsHttp.ReadObjectAsync(http.Request, ct);
        if (bodyError is not null) return bodyError;
        using (body)
        {
            var root = body!.RootElement;
            var action = AgentsHttp.String(root, "action");
            var result = action switch
            {
                "start" => await service.StartAsync(identity!.Principal, AgentsHttp.String(root, "reason"), AgentsHttp.String(root, "duration"), AgentsHttp.String(root, "agent"), ct),
                "end" => await service.EndAsync(identity!.Principal, AgentsHttp.String(root, "id"), ct),
                _ => null,
            };
            if (result is null) return AgentsHttp.Error(400, "invalid_action", "action must be 'start' or 'end'", "action");
            return result.Ok ? Results.Json(View(result.Session!)) : AgentsHttp.Error(result.HttpStatus, result.Code!, result.Message!);
        }
    }

    private static async Task<IResult> GetAsync(HttpContext http, BreakGlassService service, CancellationToken ct)
    {
        var (identity, _, authError) = await AgentsHttp.AuthenticateAsync(http, ct);
        if (authError is not null) return authError;
        if (identity!.Principal is null) return AgentsHttp.Error(403, "not_admin", "only principals may view break-glass sessions");
        var open = await service.ActiveAsync(ct);
        return Results.Json(new { data = open.Where(s => s.Tenant == identity.Tenant).Select(View) });
    }

    internal static object View(BreakGlassSession s) => new
    {
        id = s.Id, tenant = s.Tenant, principal = s.Principal, reason = s.Reason, agent = s.Agent,
        started_at = s.StartedAt, expires_at = s.ExpiresAt, ended_at = s.EndedAt, end_reason = s.EndReason,
    };
}
