using Attest.Core.Config;
using Attest.Server.Gateway;
using Attest.Storage.Keys;

namespace Attest.Server.Keys;

internal static class KeyMapping
{
    public static VirtualKey ToVirtualKey(StoredKey k) => new()
    {
        Id = k.Id, Tenant = k.Tenant, Agent = k.Agent, Principal = k.Principal, DisplayPrefix = k.DisplayPrefix,
        Models = k.Models, Scopes = k.Scopes, RequestsPerMinute = k.RequestsPerMinute, TokensPerMinute = k.TokensPerMinute,
        CreatedAt = k.CreatedAt, ExpiresAt = k.ExpiresAt, RevokedAt = k.RevokedAt, LastUsedAt = k.LastUsedAt, RotatedFrom = k.RotatedFrom,
    };

    public static VirtualKey FromConfig(KeyConfig k, string displayPrefix) => new()
    {
        Id = k.Id, Tenant = k.Tenant, Agent = k.Agent, Principal = k.Principal, DisplayPrefix = displayPrefix,
        Models = k.Models, Scopes = k.Scopes.Count == 0 ? KeyScopes.Default : k.Scopes,
        RequestsPerMinute = k.Limits?.RequestsPerMinute, TokensPerMinute = k.Limits?.TokensPerMinute,
        ExpiresAt = k.Expires,
    };
}
