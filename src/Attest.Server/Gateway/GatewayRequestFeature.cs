using Attest.Core.Identity;
using Microsoft.AspNetCore.Http;

namespace Attest.Server.Gateway;

/// <summary>
/// The per-request context the gateway's first stage resolves once: who is calling (tenant, key,
/// agent, end user, groups, scopes). Guards, retrieval, limits and audit read it from here and
/// never re-resolve it. Immutable after the identity stage.
/// </summary>
public sealed class GatewayRequestFeature(RequestIdentity identity, VirtualKey key)
{
    public RequestIdentity Identity { get; internal set; } = identity;
    public VirtualKey Key { get; } = key;
}

public static class GatewayHttpContextExtensions
{
    /// <summary>The identity the gateway resolved for this request, or null outside /v1 and /admin endpoints.</summary>
    public static RequestIdentity? GetAttestIdentity(this HttpContext http) =>
        http.Features.Get<GatewayRequestFeature>()?.Identity;
}
