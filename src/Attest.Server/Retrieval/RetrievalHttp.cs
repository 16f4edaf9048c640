using System.Text.Json;
using System.Text.Json.Nodes;
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

    // Errors keep "param": null, as OpenAI's error shape (and the gateway's) does.
    private static readonly JsonSerializerOptions ErrorJson = new(JsonSerializerDefaults.Web);

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
        return Results.Json(new { error = new { message, type, code, param } }, ErrorJson, statusCode: status);
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
    /// Resolves the caller through the gateway's <see cref="IdentityResolver"/> (the one place request identity is
    /// resolved): the key (bearer, <c>api-key</c> or <c>x-api-key</c>) gives tenant and principal; the end user comes
    /// from a verified on-behalf-of token (<c>x-attest-obo</c>), else from <c>x-attest-user</c> or the body's
    /// <c>user</c>. Groups are then limited to this tenant's. Refusals after the key is known are recorded as
    /// <c>retrieval.denied</c>.
    /// </summary>
    public static async Task<(RequestIdentity? Identity, IResult? Error)> AuthenticateAsync(HttpContext http, string scope, string operation, string? bodyUser, string? bodyTenant)
    {
        var services = http.RequestServices;
        var service = services.GetRequiredService<RetrievalService>();
        var resolver = services.GetRequiredService<IdentityResolver>();
        GatewayRequestFeature? feature;
        GatewayError? failure;
        try { (feature, failure) = await resolver.AuthenticateAsync(http, scope: null); }
        catch (Exception e) when (e is not OperationCanceledException) // fail closed, as the gateway and agents do
        {
            return (null, Error(503, "auth_unavailable", "key authentication is unavailable"));
        }
        if (feature is null) return (null, (failure ?? GatewayErrors.InvalidApiKey()).ToResult());
        var policy = services.GetRequiredService<IPolicySource>().Current;
        var keyIdentity = feature.Identity;
        var tenant = keyIdentity.Tenant;
        var keyScopes = feature.Key.Scopes;
        if (!keyScopes.Contains(scope, StringComparer.Ordinal) && !keyScopes.Contains("admin", StringComparer.Ordinal))
        {
            await service.RecordDenialAsync(keyIdentity, operation, "insufficient_scope", http.RequestAborted);
            return (null, Error(403, "insufficient_scope", $"this key lacks the '{scope}' scope"));
        }
        if (bodyTenant is { Length: > 0 } && !string.Equals(bodyTenant, tenant, StringComparison.Ordinal))
        {
            await service.RecordDenialAsync(keyIdentity, operation, "tenant_mismatch", http.RequestAborted);
            return (null, Error(403, "tenant_mismatch", "the tenant comes from the key; this key may not act for another tenant", "tenant"));
        }
        bool obo = http.Request.Headers["x-attest-obo"].FirstOrDefault() is { Length: > 0 };
        var claimed = bodyUser is { Length: > 0 } ? bodyUser : http.Request.Headers["x-attest-user"].FirstOrDefault();
        if (!obo && !string.IsNullOrEmpty(claimed) && !policy.Config.Identity.TrustUserHeader)
            return (null, Error(400, "end_user_not_accepted", "end-user identity from 'user' or x-attest-user is disabled (identity.trustUserHeader: false)", "user"));
        var body = bodyUser is { Length: > 0 } ? new JsonObject { ["user"] = bodyUser } : null;
        if (await resolver.ResolveEndUserAsync(http, feature, body) is { } oboFailure)
        {
            await service.RecordDenialAsync(keyIdentity, operation, oboFailure.Code, http.RequestAborted);
            return (null, oboFailure.ToResult());
        }
        var identity = feature.Identity;
        if (identity.EndUser is not { } user)
            return (identity with { Groups = keyIdentity.Principal is { } p ? CallerGroups.For(policy, p, tenant) : [] }, null);
        if (obo && !string.IsNullOrEmpty(claimed) && !string.Equals(claimed, user, StringComparison.Ordinal))
        {
            await service.RecordDenialAsync(identity, operation, "obo_user_mismatch", http.RequestAborted);
            return (null, Error(403, "obo_user_mismatch", "the end user named in the request is not the on-behalf-of token's subject", "user"));
        }
        if (CallerGroups.BelongsElsewhere(policy, user, tenant))
        {
            await service.RecordDenialAsync(identity, operation, "user_wrong_tenant", http.RequestAborted);
            return (null, Error(403, "user_wrong_tenant", "this end user belongs to another tenant", "user"));
        }
        // Token groups are kept, but never a group declared for another tenant.
        var foreign = policy.Config.Groups.Where(g => g.Tenant is { Length: > 0 } gt && gt != tenant).Select(g => g.Id).ToHashSet(StringComparer.Ordinal);
        return (identity with { Groups = [.. identity.Groups.Where(g => !foreign.Contains(g))] }, null);
    }
}
