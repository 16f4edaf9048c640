using System.Text.Json;
using Attest.Core.Identity;
using Attest.Server.Gateway;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Attest.Server.Agents;

/// <summary>Key authentication and OpenAI-shaped errors for the agent endpoints.</summary>
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

    /// <summary>Authenticates the bearer key; returns the caller or an error result.</summary>
    public static async Task<(RequestIdentity? Identity, VirtualKey? Key, IResult? Error)> AuthenticateAsync(HttpContext http, CancellationToken ct)
    {
        var auth = http.RequestServices.GetService<IKeyAuthenticator>();
        if (auth is null) return (null, null, Error(401, "invalid_api_key", "no key authenticator is configured; agent endpoints are closed"));
        string? presented = null;
        var header = http.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) presented = header["Bearer ".Length..].Trim();
        KeyAuthentication result;
        try { result = await auth.AuthenticateAsync(presented, ct); }
        catch (Exception e) when (e is not OperationCanceledException) // fail closed
        {
            _ = e;
            return (null, null, Error(503, "auth_unavailable", "key authentication is unavailable"));
        }
        if (result.Key is not { } key || result.Failure != KeyFailure.None)
        {
            return (null, null, result.Failure switch
            {
                KeyFailure.Missing => Error(401, "missing_api_key", "send an API key as 'Authorization: Bearer <key>'"),
                KeyFailure.Revoked => Error(401, "key_revoked", "this API key has been revoked"),
                KeyFailure.Expired => Error(401, "key_expired", "this API key has expired"),
                _ => Error(401, "invalid_api_key", "the API key is not valid"),
            });
        }
        var identity = new RequestIdentity
        {
            Tenant = key.Tenant, KeyId = key.Id, Principal = key.Principal, Agent = key.Agent, Scopes = key.Scopes, RequestId = http.TraceIdentifier,
        };
        return (identity, key, null);
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
