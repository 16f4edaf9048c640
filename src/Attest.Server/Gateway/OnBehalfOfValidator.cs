using System.Text;
using Attest.Core.Config;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Attest.Server.Gateway;

/// <summary>The end user an on-behalf-of token names.</summary>
public sealed record OnBehalfOf(string User, IReadOnlyList<string> Groups, string? Tenant);

/// <summary>
/// Validates signed on-behalf-of tokens (HS256 JWT in <c>x-attest-obo</c>): signature with
/// <c>identity.onBehalfOf.signingKey</c> (at least 32 bytes), issuer, audience, expiry (required) with
/// 30 s of skew against the injected clock. Claims: <c>sub</c> (end user), <c>groups</c>, optional <c>tenant</c>. Thread-safe.
/// </summary>
public sealed class OnBehalfOfValidator(TimeProvider time)
{
    private static readonly TimeSpan Skew = TimeSpan.FromSeconds(30);
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };

    public async Task<(OnBehalfOf? Subject, string? Error)> ValidateAsync(string token, PolicySnapshot policy)
    {
        var config = policy.Config.Identity.OnBehalfOf;
        if (config is null) return (null, "on-behalf-of tokens are not configured");
        var secret = policy.ResolveSecret(config.SigningKey);
        if (string.IsNullOrEmpty(secret)) return (null, "the signing key is unavailable");
        var parameters = new TokenValidationParameters
        {
            ValidIssuer = config.Issuer,
            ValidateIssuer = config.Issuer.Length > 0,
            ValidAudience = config.Audience,
            IssuerSigningKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(secret)),
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            LifetimeValidator = (notBefore, expires, _, _) =>
            {
                var now = time.GetUtcNow().UtcDateTime;
                return expires is { } e && now <= e + Skew && (notBefore is not { } nb || now >= nb - Skew);
            },
        };
        var result = await _handler.ValidateTokenAsync(token, parameters);
        if (!result.IsValid) return (null, Describe(result.Exception));
        var identity = result.ClaimsIdentity;
        var sub = identity.FindFirst("sub")?.Value;
        if (string.IsNullOrEmpty(sub)) return (null, "the token has no 'sub' claim");
        var groups = identity.FindAll("groups").Select(c => c.Value).Where(g => g.Length > 0).ToList();
        return (new OnBehalfOf(sub, groups, identity.FindFirst("tenant")?.Value), null);
    }

    private static string Describe(Exception? e) => e switch
    {
        SecurityTokenExpiredException => "the token has expired",
        SecurityTokenInvalidLifetimeException => "the token is expired or not yet valid",
        SecurityTokenInvalidAudienceException => "wrong audience",
        SecurityTokenInvalidIssuerException => "wrong issuer",
        SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => "bad signature",
        SecurityTokenMalformedException or ArgumentException => "malformed token",
        _ => "invalid token",
    };

}
