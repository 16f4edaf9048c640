using Attest.Core.Config;

namespace Attest.Agents.Execution;

/// <summary>What a tool returned: text for the caller (credentials already scrubbed), and whether the tool reported an error.</summary>
public sealed record ToolExecution(string Text, string ContentType, bool IsError, int? UpstreamStatus = null);

/// <summary>The upstream could not be reached or answered nonsense; the gate answers 502 and records it.</summary>
public sealed class ToolUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Runs an allowed call against the tool's upstream: HTTP or MCP. Thread-safe.</summary>
public sealed class ToolInvoker(HttpToolExecutor http, McpUpstreamPool mcp)
{
    public Task<ToolExecution> InvokeAsync(ToolConfig tool, string argumentsJson, PolicySnapshot snapshot, CancellationToken cancellationToken) =>
        tool.Kind switch
        {
            "http" => http.ExecuteAsync(tool, argumentsJson, snapshot, cancellationToken),
            "mcp" => mcp.CallAsync(tool, argumentsJson, snapshot, cancellationToken),
            _ => throw new ToolUnavailableException($"tool '{tool.Id}' has unknown kind '{tool.Kind}' (use http or mcp)"),
        };
}
