using System.Text.Json;
using Attest.Core.Config;
using Attest.Server.Gateway;

namespace Attest.Server.Keys;

/// <summary>JSON shapes of keys for the admin API and <c>attest keys list --json</c>.</summary>
public static class KeyJson
{
    public static Dictionary<string, object?> Of(VirtualKey k, string? key = null)
    {
        var d = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["id"] = k.Id, ["object"] = "key", ["tenant"] = k.Tenant, ["agent"] = k.Agent, ["principal"] = k.Principal,
            ["prefix"] = k.DisplayPrefix, ["models"] = k.Models, ["scopes"] = k.Scopes,
            ["rpm"] = k.RequestsPerMinute, ["tpm"] = k.TokensPerMinute,
            ["created_at"] = k.CreatedAt == default ? null : k.CreatedAt, ["expires_at"] = k.ExpiresAt,
            ["revoked_at"] = k.RevokedAt, ["last_used_at"] = k.LastUsedAt, ["rotated_from"] = k.RotatedFrom,
        };
        if (key is not null) d["key"] = key;
        return d;
    }
}

/// <summary>Reads a create-key body: <c>{tenant, agent, principal, models, scopes, expires, rpm, tpm}</c>.</summary>
internal static class KeyRequestJson
{
    public static KeyRequest Parse(JsonElement body, string defaultTenant)
    {
        if (body.ValueKind is not (JsonValueKind.Object or JsonValueKind.Undefined))
            throw new KeyRequestException("invalid_body", "request body must be a JSON object");
        TimeSpan? expires = null;
        if (Str(body, "expires") is { } e)
            expires = Durations.TryParse(e, out var v) ? v : throw new KeyRequestException("invalid_expiry", "expires must be a duration such as 30d", "expires");
        return new KeyRequest
        {
            Tenant = Str(body, "tenant") ?? defaultTenant, Agent = Str(body, "agent"), Principal = Str(body, "principal"),
            Models = List(body, "models"), Scopes = List(body, "scopes"), ExpiresIn = expires,
            RequestsPerMinute = Int(body, "rpm"), TokensPerMinute = Int(body, "tpm"),
        };
    }

    private static JsonElement? Prop(JsonElement o, string name) =>
        o.ValueKind == JsonValueKind.Object && o.TryGetProperty(name, out var p) && p.ValueKind != JsonValueKind.Null ? p : null;

    private static string? Str(JsonElement o, string name) => Prop(o, name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.String } p => p.GetString(),
        _ => throw new KeyRequestException("invalid_type", $"{name} must be a string", name),
    };

    private static int? Int(JsonElement o, string name) => Prop(o, name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.Number } p when p.TryGetInt32(out var i) => i,
        _ => throw new KeyRequestException("invalid_type", $"{name} must be an integer", name),
    };

    private static string[] List(JsonElement o, string name)
    {
        if (Prop(o, name) is not { } p) return [];
        if (p.ValueKind != JsonValueKind.Array || p.EnumerateArray().Any(x => x.ValueKind != JsonValueKind.String))
            throw new KeyRequestException("invalid_type", $"{name} must be an array of strings", name);
        return [.. p.EnumerateArray().Select(x => x.GetString()!)];
    }
}
