using System.Text.Json;
using Attest.Agents.Gate;
using Attest.Core.Audit;
using Attest.Core.Identity;
using Attest.Server.Gateway;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Attest.Server.Agents;

/// <summary>Caller resolution and OpenAI-shaped errors for the agent endpoints.</summary>
internal static class AgentsHttp
{
    public static IResult Error(int status, string code, string message, string? param = null, object? extra = null)
    {
        var type = status switch
        {
            401 => "authentication_error",
            403 => "permission_error",
            404 => "not_found_error",
            409 => "conflict_error",
            202 => "approval_required",
            >= 500 => "server_error",
            _ => "invalid_request_error",
        };
        var error = new { message, type, code, param };
        return extra is null ? Results.Json(new { error }, statusCode: status) : Results.Json(new { error, approval = extra }, statusCode: status);
    }

    /// <summary>
    /// Resolves the caller through the gateway's <see cref="IdentityResolver"/> (the one place request identity is
    /// resolved): the key (bearer, <c>api-key</c> or <c>x-api-key</c>) gives tenant, agent and principal; the end user
    /// comes from a verified on-behalf-of token (<c>x-attest-obo</c>), else from <c>x-attest-user</c> when
    /// <c>identity.trustUserHeader</c>. A refused token is 401 <c>invalid_obo_token</c>, recorded as a
    /// <c>policy.decision</c> deny (an unrecordable refusal is 503 <c>audit_unavailable</c>). The identity keeps the
    /// key's own scopes (<see cref="RequireScope"/> does not narrow keys without scopes).
    /// </summary>
    public static async Task<(RequestIdentity? Identity, VirtualKey? Key, IResult? Error)> AuthenticateAsync(HttpContext http, CancellationToken ct)
    {
        var resolver = http.RequestServices.GetRequiredService<IdentityResolver>();
        GatewayRequestFeature? feature;
        GatewayError? failure;
        try { (feature, failure) = await resolver.AuthenticateAsync(http, scope: null); }
        catch (Exception e) when (e is not OperationCanceledException) // fail closed
        {
            return (null, null, Error(503, "auth_unavailable", "key authentication is unavailable"));
        }
        if (feature is null) return (null, null, (failure ?? GatewayErrors.InvalidApiKey()).ToResult());
        if (await resolver.ResolveEndUserAsync(http, feature, body: null) is { } refused)
            return (null, null, await RecordDenialAsync(http, feature.Identity, refused, ct) ? refused.ToResult()
                : Error(503, "audit_unavailable", "the request was refused because the audit record could not be written"));
        return (feature.Identity with { Scopes = feature.Key.Scopes }, feature.Key, null);
    }

    private static async Task<bool> RecordDenialAsync(HttpContext http, RequestIdentity who, GatewayError error, CancellationToken ct)
    {
        var audit = http.RequestServices.GetService<IAuditLog>() ?? NullAuditLog.Instance;
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal) { ["endpoint"] = http.Request.Path.Value ?? "", ["code"] = error.Code };
        if (who.RequestId is { } rid) attributes["request_id"] = rid;
        try
        {
            await audit.AppendAsync(AgentAudit.For(AuditEventTypes.PolicyDecision, who, "events", "deny", [error.Code], attributes), ct);
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Keys with scopes must hold <paramref name="scope"/>; keys without scopes are not narrowed here.</summary>
    public static IResult? RequireScope(VirtualKey key, string scope) =>
        key.Scopes.Count == 0 || key.Scopes.Contains(scope, StringComparer.Ordinal)
            ? null
            : Error(403, "insufficient_scope", $"this key lacks the '{scope}' scope");

    /// <summary>Reads a JSON object body; null and an error result when it is not one.</summary>
    public static async Task<(JsonDocument? Body, IResult? Error)> ReadObjectAsync(HttpRequest request, CancellationToken ct)
    {
        try
        {
            var doc = await JsonDocument.ParseAsync(request.Body, default, ct);
            if (doc.RootElement.ValueKind == JsonValueKind.Object) return (doc, null);
            doc.Dispose();
            return (null, Error(400, "invalid_json", "the request body must be a JSON object"));
        }
        catch (JsonException e) { return (null, Error(400, "invalid_json", $"the request body is not valid JSON: {e.Message}")); }
    }

    public static string? String(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
