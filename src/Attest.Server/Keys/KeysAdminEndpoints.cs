using System.Text.Json;
using Attest.Core.Config;
using Attest.Server.Gateway;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Attest.Server.Keys;

/// <summary>
/// <c>POST/GET /admin/keys</c>, <c>POST /admin/keys/{id}/revoke|rotate</c>. The caller presents a key
/// with the <c>admin</c> scope and manages its own tenant's keys (cross-tenant work is for the CLI,
/// which needs database access).
/// </summary>
internal static class KeysAdminEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapPost("/admin/keys", async (HttpContext http, KeyManager keys, [FromServices] IKeyAuthenticator auth, CancellationToken ct) =>
        {
            var (admin, error) = await AdminAuth.AuthenticateAsync(http, auth, ct);
            if (admin is null) return error!;
            var (body, bad) = await ReadBodyAsync(http, ct);
            if (bad is not null) return bad;
            try
            {
                var request = KeyRequestJson.Parse(body, admin.Tenant);
                if (request.Tenant != admin.Tenant)
                    return AdminErrors.Error(403, "tenant_mismatch", $"this admin key manages tenant '{admin.Tenant}' only", "tenant");
                var issued = await keys.CreateAsync(request, ActorOf(admin), ct);
                return Results.Json(KeyJson.Of(issued.Record, issued.Key), statusCode: 201);
            }
            catch (KeyRequestException e) { return AdminErrors.Error(400, e.Code, e.Message, e.Param); }
        });

        app.MapGet("/admin/keys", async (HttpContext http, KeyManager keys, [FromServices] IKeyAuthenticator auth, CancellationToken ct) =>
        {
            var (admin, error) = await AdminAuth.AuthenticateAsync(http, auth, ct);
            if (admin is null) return error!;
            var list = await keys.ListAsync(admin.Tenant, ct);
            return Results.Json(new { @object = "list", data = list.Select(k => KeyJson.Of(k)) });
        });

        app.MapPost("/admin/keys/{id}/revoke", async (string id, HttpContext http, KeyManager keys, [FromServices] IKeyAuthenticator auth, CancellationToken ct) =>
        {
            var (admin, error) = await AdminAuth.AuthenticateAsync(http, auth, ct);
            if (admin is null) return error!;
            if (await OwnedAsync(keys, id, admin, ct) is { } notFound) return notFound;
            try
            {
                var revoked = await keys.RevokeAsync(id, ActorOf(admin), ct);
                return revoked is null ? NotFound(id) : Results.Json(KeyJson.Of(revoked));
            }
            catch (KeyRequestException e) { return AdminErrors.Error(400, e.Code, e.Message, e.Param); }
        });

        app.MapPost("/admin/keys/{id}/rotate", async (string id, HttpContext http, KeyManager keys, [FromServices] IKeyAuthenticator auth, CancellationToken ct) =>
        {
            var (admin, error) = await AdminAuth.AuthenticateAsync(http, auth, ct);
            if (admin is null) return error!;
            var (body, bad) = await ReadBodyAsync(http, ct);
            if (bad is not null) return bad;
            if (await OwnedAsync(keys, id, admin, ct) is { } notFound) return notFound;
            try
            {
                TimeSpan? overlap = null;
                if (body.ValueKind == JsonValueKind.Object && body.TryGetProperty("overlap", out var o) && o.ValueKind != JsonValueKind.Null)
                {
                    if (o.ValueKind != JsonValueKind.String || !Durations.TryParse(o.GetString(), out var parsed))
                        return AdminErrors.Error(400, "invalid_overlap", "overlap must be a duration such as 24h or 7d", "overlap");
                    overlap = parsed;
                }
                var issued = await keys.RotateAsync(id, overlap, ActorOf(admin), ct);
                return issued is null ? NotFound(id) : Results.Json(KeyJson.Of(issued.Record, issued.Key), statusCode: 201);
            }
            catch (KeyRequestException e) { return AdminErrors.Error(400, e.Code, e.Message, e.Param); }
        });
    }

    private static string ActorOf(VirtualKey admin) => admin.Principal ?? $"key:{admin.Id}";

    private static IResult NotFound(string id) => AdminErrors.Error(404, "key_not_found", $"no key with id '{id}'", "id");

    /// <summary>Keys of other tenants look the same as missing ones, so ids of other tenants are not disclosed.</summary>
    private static async Task<IResult?> OwnedAsync(KeyManager keys, string id, VirtualKey admin, CancellationToken ct) =>
        await keys.GetAsync(id, ct) is { } k && k.Tenant == admin.Tenant ? null : NotFound(id);

    private static async Task<(JsonElement Body, IResult? Error)> ReadBodyAsync(HttpContext http, CancellationToken ct)
    {
        if (http.Request.ContentLength == 0) return (default, null);
        try
        {
            using var doc = await JsonDocument.ParseAsync(http.Request.Body, cancellationToken: ct);
            return (doc.RootElement.Clone(), null);
        }
        catch (JsonException e)
        {
            return (default, AdminErrors.Error(400, "invalid_json", $"request body is not valid JSON: {e.Message}"));
        }
        catch (BadHttpRequestException e) when (e.StatusCode == 413)
        {
            return (default, AdminErrors.Error(413, "request_too_large", "request body is larger than server.maxRequestBodyBytes"));
        }
    }
}
