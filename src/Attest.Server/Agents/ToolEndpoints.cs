using System.Text.Json;
using Attest.Agents.Gate;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Attest.Server.Agents;

/// <summary><c>POST /v1/tools/{tool}/invoke</c>: body <c>{"arguments": {...}, "approval_id": "apr_..."}</c> (approval id also as header <c>x-attest-approval</c>).</summary>
internal static class ToolEndpoints
{
    public static void Map(IEndpointRouteBuilder e) => e.MapPost("/v1/tools/{tool}/invoke", InvokeAsync);

    private static async Task<IResult> InvokeAsync(string tool, HttpContext http, ToolGate gate, CancellationToken ct)
    {
        var (identity, key, authError) = await AgentsHttp.AuthenticateAsync(http, ct);
        if (authError is not null) return authError;
        if (AgentsHttp.RequireScope(key!, "tools") is { } scopeError) return scopeError;
        var (body, bodyError) = await AgentsHttp.ReadObjectAsync(http.Request, ct);
        if (bodyError is not null) return bodyError;
        using (body)
        {
            var root = body!.RootElement;
            var args = "{}";
            if (root.TryGetProperty("arguments", out var a))
            {
                if (a.ValueKind != JsonValueKind.Object) return AgentsHttp.Error(400, GateCodes.InvalidArguments, "'arguments' must be a JSON object", "arguments");
                args = a.GetRawText();
            }
            var approvalId = AgentsHttp.String(root, "approval_id") ?? (http.Request.Headers.TryGetValue("x-attest-approval", out var h) ? h.ToString() : null);
            var outcome = await gate.InvokeAsync(identity!, tool, args, string.IsNullOrWhiteSpace(approvalId) ? null : approvalId, ct);
            return outcome.Status switch
            {
                GateStatus.Completed => Results.Json(new
                {
                    tool,
                    result = AsJson(outcome.Result, outcome.ContentType),
                    tool_error = outcome.ToolError,
                    upstream_status = outcome.UpstreamStatus,
                    approval_id = outcome.ApprovalId,
                    breakglass = outcome.BreakGlassId,
                }),
                GateStatus.ApprovalPending => AgentsHttp.Error(202, outcome.Code!, outcome.Message!, null,
                    new { id = outcome.ApprovalId, expires_at = outcome.ApprovalExpiresAt, status = "pending" }),
                _ => AgentsHttp.Error(outcome.HttpStatus, outcome.Code!, outcome.Message!, outcome.Param),
            };
        }
    }

    /// <summary>JSON results are returned as JSON; anything else as a string.</summary>
    private static object? AsJson(string? text, string contentType)
    {
        if (text is null) return null;
        if (!contentType.Contains("json", StringComparison.OrdinalIgnoreCase)) return text;
        try { using var d = JsonDocument.Parse(text); return d.RootElement.Clone(); }
        catch (JsonException) { return text; }
    }
}
