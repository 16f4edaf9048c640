using System.Text.Json.Nodes;
using Attest.Core.Config;
using Attest.Core.Identity;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Attest.Server.Gateway;

/// <summary>
/// The gateway's fixed first stage: authenticates the presented key (through the registered
/// <see cref="IKeyAuthenticator"/>; none registered means every key is refused), checks the scope
/// the endpoint needs, and resolves the end user — from a signed on-behalf-of token when one is
/// sent, else from <c>x-attest-user</c> or the body's <c>user</c> (when <c>identity.trustUserHeader</c>) —
/// into one <see cref="GatewayRequestFeature"/>. An authenticator that throws (key store unreachable)
/// refuses the request with 503 <c>auth_unavailable</c>. Thread-safe singleton.
/// </summary>
public sealed partial class IdentityResolver(IServiceProvider services, IPolicySource policy, OnBehalfOfValidator onBehalfOf, TimeProvider time,
    ILogger<IdentityResolver> logger)
{
    /// <summary>Scopes a key has when it lists none.</summary>
    public static readonly IReadOnlyList<string> DefaultScopes = ["chat", "embeddings"];

    private readonly IKeyAuthenticator? _authenticator = services.GetService<IKeyAuthenticator>();

    /// <summary>
    /// Authenticates and checks <paramref name="scope"/> (null: any valid key). On a scope failure the
    /// feature is still returned with the error, so the refusal can be audited under the key's tenant.
    /// </summary>
    public async ValueTask<(GatewayRequestFeature? Feature, GatewayError? Error)> AuthenticateAsync(HttpContext http, string? scope)
    {
        var presented = PresentedKey(http.Request);
        if (presented is null) return (null, GatewayErrors.MissingApiKey());
        if (_authenticator is null) return (null, GatewayErrors.InvalidApiKey());
        KeyAuthentication auth;
        try { auth = await _authenticator.AuthenticateAsync(presented, http.RequestAborted); }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Fail closed: a key whose record cannot be read is refused (503, not 500: the client did nothing wrong).
            LogAuthenticationFailed(logger, e.GetType().Name);
            return (null, GatewayErrors.AuthUnavailable());
        }
        var now = time.GetUtcNow();
        var key = auth.Key;
        GatewayError? failure = auth.Failure switch
        {
            KeyFailure.Missing => GatewayErrors.MissingApiKey(),
            KeyFailure.Unknown => GatewayErrors.InvalidApiKey(),
            KeyFailure.Revoked => GatewayErrors.KeyRevoked(),
            KeyFailure.Expired => GatewayErrors.KeyExpired(),
            _ when key is null => GatewayErrors.InvalidApiKey(),
            _ when key.RevokedAt is { } r && r <= now => GatewayErrors.KeyRevoked(),
            _ when key.ExpiresAt is { } e && e <= now => GatewayErrors.KeyExpired(),
            _ => null,
        };
        if (failure is not null) return (null, failure);
        var snapshot = policy.Current;
        var scopes = key!.Scopes.Count > 0 ? key.Scopes : DefaultScopes;
        var requestId = http.Request.Headers["x-request-id"].FirstOrDefault() is { Length: > 0 and <= 128 } rid ? rid : http.TraceIdentifier;
        var identity = new RequestIdentity
        {
            Tenant = key.Tenant,
            KeyId = key.Id,
            Principal = key.Principal,
            Agent = key.Agent,
            Scopes = scopes,
            Groups = key.Principal is { } p ? snapshot.GroupsOf(p) : [],
            RequestId = requestId,
        };
        var feature = new GatewayRequestFeature(identity, key);
        http.Features.Set(feature);
        http.Response.Headers["x-request-id"] = requestId;
        if (scope is not null && !scopes.Contains(scope, StringComparer.Ordinal)) return (feature, GatewayErrors.InsufficientScope(scope));
        return (feature, null);
    }

    /// <summary>Adds the end user (and their groups) to the feature's identity.</summary>
    public async ValueTask<GatewayError?> ResolveEndUserAsync(HttpContext http, GatewayRequestFeature feature, JsonObject? body)
    {
        var snapshot = policy.Current;
        string? user = null;
        IReadOnlyList<string> tokenGroups = [];
        if (http.Request.Headers["x-attest-obo"].FirstOrDefault() is { Length: > 0 } token)
        {
            var (subject, error) = await onBehalfOf.ValidateAsync(token, snapshot);
            if (subject is null) return GatewayErrors.InvalidOnBehalfOf(error ?? "invalid token");
            if (subject.Tenant is { } t && t != feature.Identity.Tenant) return GatewayErrors.InvalidOnBehalfOf("the token names another tenant");
            user = subject.User;
            tokenGroups = subject.Groups;
        }
        else if (snapshot.Config.Identity.TrustUserHeader)
        {
            user = http.Request.Headers["x-attest-user"].FirstOrDefault() is { Length: > 0 } header ? header
                : body?["user"] is JsonValue v && v.TryGetValue<string>(out var u) && u.Length > 0 ? u : null;
        }
        if (user is null) return null;
        var groups = snapshot.GroupsOf(user).Union(tokenGroups, StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        feature.Identity = feature.Identity with { EndUser = user, Groups = groups };
        return null;
    }

    private static string? PresentedKey(HttpRequest request)
    {
        var auth = request.Headers.Authorization.FirstOrDefault();
        if (auth is not null && auth.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return auth[7..].Trim() is { Length: > 0 } bearer ? bearer : null;
        if (request.Headers["api-key"].FirstOrDefault() is { Length: > 0 } azure) return azure;
        return request.Headers["x-api-key"].FirstOrDefault() is { Length: > 0 } x ? x : null;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Key authentication failed ({ExceptionType}); request refused with auth_unavailable")]
    private static partial void LogAuthenticationFailed(ILogger logger, string exceptionType);
}
