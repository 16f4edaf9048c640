using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Attest.Server.Gateway;

/// <summary>Reads a JSON request body within the configured maximum, answering 413 or 400 instead of throwing.</summary>
internal static class RequestBody
{
    public static async Task<(JsonObject? Body, GatewayError? Error)> ReadAsync(HttpContext http, long maxBytes)
    {
        if (http.Request.ContentLength is { } declared && declared > maxBytes) return (null, GatewayErrors.RequestTooLarge(maxBytes));
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(maxBytes + 1, http.Request.ContentLength + 1 ?? 16 * 1024));
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length > maxBytes) return (null, GatewayErrors.RequestTooLarge(maxBytes));
                    var bigger = ArrayPool<byte>.Shared.Rent((int)Math.Min(maxBytes + 1, (long)buffer.Length * 2));
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }
                var read = await http.Request.Body.ReadAsync(buffer.AsMemory(length), http.RequestAborted);
                if (read == 0) break;
                length += read;
                if (length > maxBytes) return (null, GatewayErrors.RequestTooLarge(maxBytes));
            }
            if (length == 0) return (null, GatewayErrors.InvalidJson("the body is empty"));
            var node = JsonNode.Parse(buffer.AsSpan(0, length), documentOptions: new JsonDocumentOptions { MaxDepth = 128, AllowDuplicateProperties = false });
            return node is JsonObject o ? (o, null) : (null, GatewayErrors.BodyNotObject());
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, GatewayErrors.RequestTooLarge(maxBytes));
        }
        catch (JsonException e)
        {
            return (null, GatewayErrors.InvalidJson(e.Message));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
