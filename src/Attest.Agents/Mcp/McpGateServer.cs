using System.Text.Json;
using Attest.Agents.Execution;
using Attest.Agents.Gate;
using Attest.Agents.Policy;
using Attest.Core.Config;
using Attest.Core.Identity;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Attest.Agents.Mcp;

/// <summary>
/// Attest as an MCP server to one agent: lists only the tools that agent may use (each under its Attest tool id)
/// and sends every call through the <see cref="ToolGate"/>. Denials and pending approvals come back as tool
/// results with <c>isError</c> and a stable code in the text, so any MCP client shows them to the model. Thread-safe.
/// </summary>
public sealed class McpGateServer(ToolGate gate, McpUpstreamPool upstreams, IPolicySource policy, ILoggerFactory loggerFactory)
{
    private static readonly JsonElement EmptyObjectSchema = JsonDocument.Parse("""{"type":"object"}""").RootElement.Clone();

    /// <summary>The identity an agent has when it talks to Attest over MCP.</summary>
    public RequestIdentity IdentityFor(string agent)
    {
        var compiled = AgentCatalog.For(policy.Current).Agent(agent) ?? throw new InvalidOperationException($"agent '{agent}' is not declared in the policy");
        return new RequestIdentity { Tenant = compiled.Tenant, Agent = agent, KeyId = $"mcp:{agent}" };
    }

    public McpServerOptions CreateOptions(RequestIdentity identity) => new()
    {
        ServerInfo = new Implementation { Name = "attest", Version = "1.0", Title = $"Attest tool gate for agent {identity.Agent}" },
        Capabilities = new ServerCapabilities { Tools = new ToolsCapability { ListChanged = false } },
        ServerInstructions = "Every tool call passes Attest's policy: arguments are validated, high-impact calls wait for a human approval (call again with the same arguments once granted), and results are screened.",
        Handlers = new McpServerHandlers
        {
            ListToolsHandler = (request, ct) => ListAsync(identity, ct),
            CallToolHandler = (request, ct) => CallAsync(identity, request.Params, ct),
        },
    };

    /// <summary>Runs the server on a transport (stdio for <c>attest mcp serve</c>, streams in tests) until the client disconnects.</summary>
    public async Task RunAsync(ITransport transport, RequestIdentity identity, CancellationToken cancellationToken)
    {
        await using var server = McpServer.Create(transport, CreateOptions(identity), loggerFactory);
        await server.RunAsync(cancellationToken);
    }

    public async ValueTask<ListToolsResult> ListAsync(RequestIdentity identity, CancellationToken cancellationToken)
    {
        var snapshot = policy.Current;
        var agent = AgentCatalog.For(snapshot).Agent(identity.Agent);
        var tools = new List<Tool>();
        if (agent is null) return new ListToolsResult { Tools = tools };
        foreach (var (id, t) in agent.Tools.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (t.CompileError is not null) continue;
            string? description = t.Tool.Description;
            JsonElement schema;
            if (t.SchemaJson is not null) schema = JsonDocument.Parse(t.SchemaJson).RootElement.Clone();
            else if (t.Tool.Kind == "mcp" && t.Tool.Mcp is { } server)
            {
                var upstream = (await upstreams.ListAsync(server, snapshot, cancellationToken)).FirstOrDefault(u => u.Name == (server.Tool ?? id));
                if (upstream is null) continue; // the upstream does not offer it: nothing callable to list
                schema = upstream.InputSchema;
                description ??= upstream.Description;
            }
            else schema = EmptyObjectSchema;
            tools.Add(new Tool { Name = id, Description = description, InputSchema = schema });
        }
        return new ListToolsResult { Tools = tools };
    }

    public async ValueTask<CallToolResult> CallAsync(RequestIdentity identity, CallToolRequestParams? request, CancellationToken cancellationToken)
    {
        if (request is null) return Error("invalid_arguments: missing params");
        var args = request.Arguments is null ? "{}" : JsonSerializer.Serialize(request.Arguments, McpJson.Options);
        string? approvalId = null;
        if (request.Meta is { } meta && meta.TryGetPropertyValue("attest/approval", out var node) && node is not null) approvalId = node.GetValue<string>();
        var outcome = await gate.InvokeAsync(identity, request.Name, args, approvalId, cancellationToken);
        return outcome.Status switch
        {
            GateStatus.Completed => new CallToolResult { Content = [new TextContentBlock { Text = outcome.Result ?? "" }], IsError = outcome.ToolError },
            GateStatus.ApprovalPending => Error($"{outcome.Code}: {outcome.Message} (approval_id={outcome.ApprovalId})"),
            _ => Error($"{outcome.Code}: {outcome.Message}"),
        };
    }

    private static CallToolResult Error(string text) => new() { Content = [new TextContentBlock { Text = text }], IsError = true };
}

internal static class McpJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);
}
