using System.Text.Json;
using System.Text.Json.Nodes;
using Attest.Agents.Mcp;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace Attest.Server.Agents;

/// <summary>
/// <c>POST /v1/mcp</c>: Attest as an MCP server over the streamable HTTP transport, stateless. The agent is the
/// one bound to the bearer key; each JSON-RPC request is answered with one <c>application/json</c> response
/// (which the transport allows), so any replica can answer any request. Methods: initialize, ping, tools/list,
/// tools/call (through the tool gate). Notifications get 202; GET (server-initiated stream) is not offered: 405.
/// </summary>
internal static class McpHttpEndpoint
{
    private static readonly string[] Versions = ["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"];

    public static void Map(IEndpointRouteBuilder e)
    {
        e.MapPost("/v1/mcp", PostAsync);
        e.MapMethods("/v1/mcp", ["GET", "DELETE"], () => Results.StatusCode(405));
    }

    private static async Task<IResult> PostAsync(HttpContext http, McpGateServer gate, CancellationToken ct)
    {
        var (identity, key, authError) = await AgentsHttp.AuthenticateAsync(http, ct);
        if (authError is not null) return authError;
        if (AgentsHttp.RequireScope(key!, "tools") is { } scopeError) return scopeError;
        if (identity!.Agent is null) return AgentsHttp.Error(403, "agent_unknown", "this key is not bound to an agent; MCP needs an agent identity");
        JsonDocument doc;
        try { doc = await JsonDocument.ParseAsync(http.Request.Body, default, ct); }
        catch (JsonException) { return Rpc(null, error: (-32700, "parse error")); }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("method", out var m) || m.ValueKind != JsonValueKind.String)
                return root.ValueKind == JsonValueKind.Object && (root.TryGetProperty("result", out _) || root.TryGetProperty("error", out _))
                    ? Results.StatusCode(202) // a response to a server request: none are sent, nothing to do
                    : Rpc(null, error: (-32600, "invalid request (batches are not supported)"));
            var id = root.TryGetProperty("id", out var idEl) ? JsonNode.Parse(idEl.GetRawText()) : null;
            if (id is null) return Results.StatusCode(202); // notification
            var p = root.TryGetProperty("params", out var pe) ? pe : default;
            switch (m.GetString())
            {
                case "initialize":
                    var asked = p.ValueKind == JsonValueKind.Object && p.TryGetProperty("protocolVersion", out var v) ? v.GetString() : null;
                    return Rpc(id, new JsonObject
                    {
                        ["protocolVersion"] = Versions.Contains(asked) ? asked : Versions[1],
                        ["capabilities"] = new JsonObject { ["tools"] = new JsonObject { ["listChanged"] = false } },
                        ["serverInfo"] = new JsonObject { ["name"] = "attest", ["version"] = "1.0" },
                        ["instructions"] = "Every tool call passes Attest's policy; high-impact calls wait for a human approval (call again with the same arguments once granted).",
                    });
                case "ping":
                    return Rpc(id, new JsonObject());
                case "tools/list":
                    var list = await gate.ListAsync(identity, ct);
                    return Rpc(id, JsonSerializer.SerializeToNode(list, McpJsonUtilities.DefaultOptions));
                case "tools/call":
                    CallToolRequestParams? call;
                    try { call = p.ValueKind == JsonValueKind.Object ? p.Deserialize<CallToolRequestParams>(McpJsonUtilities.DefaultOptions) : null; }
                    catch (JsonException) { call = null; }
                    if (call is null || string.IsNullOrEmpty(call.Name)) return Rpc(id, error: (-32602, "invalid params: tools/call needs a name"));
                    var result = await gate.CallAsync(identity, call, ct);
                    return Rpc(id, JsonSerializer.SerializeToNode(result, McpJsonUtilities.DefaultOptions));
                default:
                    return Rpc(id, error: (-32601, $"method not found: {m.GetString()}"));
            }
        }
    }

    private static IResult Rpc(JsonNode? id, JsonNode? result = null, (int Code, string Message)? error = null)
    {
        var o = new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id };
        if (error is { } e) o["error"] = new JsonObject { ["code"] = e.Code, ["message"] = e.Message };
        else o["result"] = result ?? new JsonObject();
        return Results.Content(o.ToJsonString(), "application/json");
    }
}
