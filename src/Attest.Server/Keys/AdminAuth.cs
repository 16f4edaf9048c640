using Attest.Server.Gateway;
using Microsoft.AspNetCore.Http;

namespace Attest.Server.Keys;

/// <summary>Authenticates the bearer key of an admin call and requires the <c>admin</c> scope.</summary>
internal static class AdminAuth
{
    public static async Task<(VirtualKey? Key, IResult? Error)> AuthenticateAsync(HttpContext http, IKeyAuthenticator auth, CancellationToken ct)
    {
        var header = http.Request.Headers.Authorization.ToString();
        var presented = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : null;
        var result = await auth.AuthenticateAsync(presented, ct);
        return result.Failure switch
        {
            KeyFailure.None when result.Key!.Scopes.Contains(KeyScopes.Admin) => (result.Key, null),
            KeyFailure.None => (null, AdminErrors.Error(403, "insufficient_scope", "this key lacks the 'admin' scope")),
            KeyFailure.Missing => (null, AdminErrors.Error(401, "missing_api_key", "send an Attest key as 'Authorization: Bearer atk_…'")),
            KeyFailure.Revoked => (null, AdminErrors.Error(401, "key_revoked", "this key has been revoked")),
            KeyFailure.Expired => (null, AdminErrors.Error(401, "key_expired", "this key has expired")),
            _ => (null, AdminErrors.Error(401, "invalid_api_key", "the key is not valid")),
        };
    }
}
