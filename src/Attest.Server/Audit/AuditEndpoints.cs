using System.Globalization;
using Attest.Audit.Log;
using Attest.Core.Config;
using Attest.Storage;
using Attest.Storage.Audit;
using Microsoft.AspNetCore.Http;

namespace Attest.Server.Audit;

/// <summary>Handlers of the audit API. Client mistakes answer 4xx with OpenAI-style error JSON.</summary>
internal static class AuditEndpoints
{
    public static async Task<IResult> LatestCheckpointAsync(IAuditStore store, CancellationToken ct)
    {
        var all = await store.ReadCheckpointsAsync(ct);
        if (all.Count == 0) return Error(404, "not_found_error", "no_checkpoint", "no checkpoint has been signed yet", null);
        var cp = all[^1];
        return Results.Json(new
        {
            size = cp.Size, root = Convert.ToBase64String(cp.Root), rootHex = Convert.ToHexStringLower(cp.Root),
            time = cp.Time, keyId = cp.KeyId, note = cp.Note,
        });
    }

    public static async Task<IResult> InclusionAsync(HttpRequest request, AuditProofService proofs, IAuditStore store, CancellationToken ct)
    {
        if (!TryLong(request, "index", out var index, out var bad)) return bad!;
        long size;
        if (request.Query.ContainsKey("size"))
        {
            if (!TryLong(request, "size", out size, out bad)) return bad!;
        }
        else
        {
            var all = await store.ReadCheckpointsAsync(ct);
            if (all.Count == 0) return Error(404, "not_found_error", "no_checkpoint", "no checkpoint has been signed yet; pass size", "size");
            size = all[^1].Size;
        }
        try
        {
            var p = await proofs.InclusionAsync(index, size, ct);
            return Results.Json(new { index = p.Index, size = p.Size, leafHash = Hex(p.LeafHash), proof = p.Path.Select(Hex), root = Hex(p.Root) });
        }
        catch (ArgumentOutOfRangeException e)
        {
            return Error(400, "invalid_request_error", "proof_out_of_range", FirstLine(e.Message), e.ParamName);
        }
    }

    public static async Task<IResult> ConsistencyAsync(HttpRequest request, AuditProofService proofs, CancellationToken ct)
    {
        if (!TryLong(request, "from", out var from, out var bad)) return bad!;
        if (!TryLong(request, "to", out var to, out bad)) return bad!;
        try
        {
            var p = await proofs.ConsistencyAsync(from, to, ct);
            return Results.Json(new { from = p.First, to = p.Second, fromRoot = Hex(p.FirstRoot), toRoot = Hex(p.SecondRoot), proof = p.Path.Select(Hex) });
        }
        catch (ArgumentOutOfRangeException e)
        {
            return Error(400, "invalid_request_error", "proof_out_of_range", FirstLine(e.Message), e.ParamName == "first" ? "from" : "to");
        }
    }

    public static IResult PublicKeys(IPolicySource policy)
    {
        var snapshot = policy.Current;
        var keys = AuditKeyFiles.LoadTrustedKeys(snapshot, StorageFactory.DataDirectory(snapshot));
        return Results.Json(new { keys = keys.Select(k => new { keyId = k.KeyId, algorithm = "ecdsa-p256-sha256", pem = k.ExportPublicKeyPem() }) });
    }

    public static IResult Error(int status, string type, string code, string message, string? param) =>
        Results.Json(new { error = new { message, type, code, param } }, statusCode: status);

    private static bool TryLong(HttpRequest request, string name, out long value, out IResult? error)
    {
        error = null;
        var text = request.Query[name].ToString();
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value)) return true;
        error = Error(400, "invalid_request_error", text.Length == 0 ? "missing_parameter" : "invalid_parameter",
            text.Length == 0 ? $"query parameter '{name}' is required" : $"query parameter '{name}' must be a non-negative integer", name);
        return false;
    }

    private static string Hex(byte[] b) => Convert.ToHexStringLower(b);

    private static string FirstLine(string s) => s.Split(" (Parameter", 2)[0];
}
