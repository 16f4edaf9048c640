using System.Text.Json;
using Attest.Core.Config;
using Attest.Core.Identity;
using Attest.Retrieval;
using Attest.Server.Gateway;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Attest.Server.Retrieval;

/// <summary>Authentication, caller resolution, body parsing and OpenAI-style errors for the retrieval endpoints.</summary>
internal static class RetrievalHttp
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    public static IResult Error(int status, string code, string message, string? param = null)
    {
        var type = status switch
        {
            401 => "authentication_error",
            403 => "permission_error",
            404 => "not_found_error",
            >= 500 => "server_error",
            _ => "invalid_request_error",
        };
        return Results.Json(new { error = new { message, type, code, param } }, Json, statusCode: status);
    }

    public static IResult From(RetrievalException e) =>
        Error(e.Forbidden ? 403 : e.NotFound ? 404 : 400, e.Code, e.Message, e.Param);

    /// <summary>Reads a JSON body; a malformed one is a 400 naming where it broke.</summary>
    public static async Task<(T? Body, IResult? Error)> ReadAsync<T>(HttpRequest request, CancellationToken ct) where T : class
    {
        if (request.ContentLength == 0) return (null, Error(400, "invalid_json", "the request body is empty"));
        try
        {
            var body = await JsonSerializer.DeserializeAsync<T>(request.Body, Json, ct);
            return body is null ? (null, Error(400, "invalid_json", "the request body must be a JSON object")) : (body, null);
        }
        catch (JsonException e)
        {
            return (null, Error(400, "invalid_json", $"the request body is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1})", e.Path));
        }
    }

    /// <summary>
    /// Resolves the caller from the bearer key: its tenant and principal, plus the end user (<c>user</c> field or
    /// <c>x-attest-user</c>) and that user's groups in this tenant. Refusals are recorded as <c>retrieval.denied</c>.
    /// </summary>
    public static async Task<(RequestIdentity? Identity, IResult? Error)> AuthenticateAsync(HttpContext http, string scope, string operation, string? bodyUser, string? bodyTenant)
    {
        var services = http.RequestServices;
        var service = services.GetRequiredService<RetrievalService>();
        var authenticator = services.GetService<IKeyAuthenticator>();
        if (authenticator is null) return (null, Error(401, "invalid_api_key", "no virtual keys are configured on this server"));
        var header = http.Request.Headers.Authorization.ToString();
        var presented = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : null;
        var auth = await authenticator.AuthenticateAsync(presented, http.RequestAborted);
        if (auth.Key is not { } key || auth.Failure != KeyFailure.None)
        {
            return (null, auth.Failure switch
            {
                KeyFailure.Missing => Error(401, "missing_api_key", "send the virtual key as 'Authorization: Bearer <key>'"),
                KeyFailure.Revoked => Error(401, "key_revoked", "this key has been revoked"),
                KeyFailure.Expired => Error(401, "key_expired", "this key has expired"),
                _ => Error(401, "invalid_api_key", "the key is not valid"),
            });
        }
        var policy = services.GetRequiredService<IPolicySource>().Current;
        var keyIdentity = new RequestIdentity { Tenant = key.Tenant, KeyId = key.Id, Principal = key.Principal, Agent = key.Agent, Scopes = key.Scopes, RequestId = http.TraceIdentifier };
        if (!key.Scopes.Contains(scope, StringComparer.Ordinal) && !key.Scopes.Contains("admin", StringComparer.Ordinal))
        {
            await service.RecordDenialAsync(keyIdentity, operation, "insufficient_scope", http.RequestAborted);
            return (null, Error(403, "insufficient_scope", $"this key lacks the '{scope}' scope"));
        }
        if (bodyTenant is { Length: > 0 } && !string.Equals(bodyTenant, key.Tenant, StringComparison.Ordinal))
        {
            await service.RecordDenialAsync(keyIdentity, operation, "tenant_mismatch", http.RequestAborted);
            return (null, Error(403, "tenant_mismatch", "the tenant comes from the key; this key may not act for another tenant", "tenant"));
        }
        var user = bodyUser is { Length: > 0 } ? bodyUser : http.Request.Headers["x-attest-user"].ToString();
        if (string.IsNullOrEmpty(user))
            return (keyIdentity with { Groups = key.Principal is { } p ? CallerGroups.For(policy, p, key.Tenant) : [] }, null);
        if (!policy.Config.Identity.TrustUserHeader)
            return (null, Error(400, "end_user_not_accepted", "end-user identity from 'user' or x-attest-user is disabled (identity.trustUserHeader: false)", "user"));
        if (CallerGroups.BelongsElsewhere(policy, user, key.Tenant))
        {
            await service.RecordDenialAsync(keyIdentity with { EndUser = user }, operation, "user_wrong_tenant", http.RequestAborted);
            return (null, Error(403, "user_wrong_tenant", "this end user belongs to another tenant", "user"));
        }
        return (keyIdentity with { EndUser = user, Groups = CallerGroups.For(policy, user, key.Tenant) }, null);
    }
}
