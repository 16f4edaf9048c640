using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Attest.Core.Config;
using Microsoft.Extensions.Logging;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Attest.Agents.Execution;

/// <summary>
/// One MCP client per upstream server (stdio process or streamable HTTP URL), created on first use and
/// reused; a broken connection is dropped and re-created once. Disposing stops the stdio processes. Thread-safe.
/// </summary>
public sealed class McpUpstreamPool(ILoggerFactory loggerFactory, IHttpClientFactory? httpClients = null) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<Task<McpClient>>> _clients = new(StringComparer.Ordinal);

    /// <summary>Calls the upstream tool named by <see cref="McpServerConfig.Tool"/> and flattens its content to text.</summary>
    public async Task<ToolExecution> CallAsync(ToolConfig tool, string argumentsJson, PolicySnapshot snapshot, CancellationToken cancellationToken)
    {
        var server = tool.Mcp ?? throw new ToolUnavailableException($"tool '{tool.Id}' is kind mcp but has no mcp server");
        var name = server.Tool ?? tool.Id;
        Dictionary<string, object?> args;
        using (var doc = JsonDocument.Parse(argumentsJson))
            args = doc.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value.Clone(), StringComparer.Ordinal);
        var result = await WithClientAsync(server, snapshot, (c, ct) => c.CallToolAsync(name, args, cancellationToken: ct).AsTask(), cancellationToken);
        return new ToolExecution(Flatten(result), "text/plain", result.IsError == true);
    }

    /// <summary>The upstream server's tools (name, description, input schema).</summary>
    public async Task<IReadOnlyList<Tool>> ListAsync(McpServerConfig server, PolicySnapshot snapshot, CancellationToken cancellationToken)
    {
        var tools = await WithClientAsync(server, snapshot, async (c, ct) => await c.ListToolsAsync(cancellationToken: ct), cancellationToken);
        return [.. tools.Select(t => t.ProtocolTool)];
    }

    private async Task<T> WithClientAsync<T>(McpServerConfig server, PolicySnapshot snapshot, Func<McpClient, CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        var key = Key(server);
        for (var attempt = 0; ; attempt++)
        {
            var lazy = _clients.GetOrAdd(key, _ => new Lazy<Task<McpClient>>(() => ConnectAsync(server, snapshot)));
            try
            {
                var client = await lazy.Value.WaitAsync(cancellationToken);
                return await call(client, cancellationToken);
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or McpException or ObjectDisposedException or HttpRequestException
                                      && e is not McpProtocolException && !cancellationToken.IsCancellationRequested)
            {
                // The connection broke (process exited, server restarted): drop it and try once more with a fresh one.
                if (_clients.TryRemove(new KeyValuePair<string, Lazy<Task<McpClient>>>(key, lazy)) && lazy.Value.IsCompletedSuccessfully)
                    await lazy.Value.Result.DisposeAsync();
                if (attempt >= 1) throw new ToolUnavailableException($"MCP server for '{server.Tool}' failed: {e.GetType().Name}", e);
            }
        }
    }

    private async Task<McpClient> ConnectAsync(McpServerConfig server, PolicySnapshot snapshot)
    {
        IClientTransport transport;
        if (server.Url is { Length: > 0 } url)
        {
            var options = new HttpClientTransportOptions { Endpoint = new Uri(url), TransportMode = HttpTransportMode.StreamableHttp };
            transport = httpClients is null
                ? new HttpClientTransport(options, loggerFactory)
                : new HttpClientTransport(options, httpClients.CreateClient(HttpToolExecutor.ClientName), loggerFactory, ownsHttpClient: true);
        }
        else if (server.Command is { Length: > 0 } command)
        {
            transport = new StdioClientTransport(new StdioClientTransportOptions
            {
                Command = command,
                Arguments = [.. server.Args],
                Name = "attest-upstream-" + Path.GetFileName(command),
                WorkingDirectory = snapshot.BaseDirectory,
            }, loggerFactory);
        }
        else throw new ToolUnavailableException("an MCP server needs a command (stdio) or a url (streamable HTTP)");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try { return await McpClient.CreateAsync(transport, new McpClientOptions { ClientInfo = new Implementation { Name = "attest", Version = "1.0" } }, loggerFactory, cts.Token); }
        catch (Exception e) when (e is IOException or InvalidOperationException or McpException or OperationCanceledException or HttpRequestException or System.ComponentModel.Win32Exception)
        {
            throw new ToolUnavailableException($"could not start or reach the MCP server ({Path.GetFileName(server.Command ?? server.Url)}): {e.Message}", e);
        }
    }

    private static string Key(McpServerConfig s) => s.Url ?? (s.Command + "\u001f" + string.Join('\u001f', s.Args));

    private static string Flatten(CallToolResult result)
    {
        var sb = new StringBuilder();
        foreach (var block in result.Content)
        {
            if (sb.Length > 0) sb.Append('\n');
            sb.Append(block is TextContentBlock t ? t.Text : $"[{block.Type} content omitted]");
        }
        if (sb.Length == 0 && result.StructuredContent is { } structured) sb.Append(structured.ToString());
        return sb.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var lazy in _clients.Values)
        {
            if (lazy.IsValueCreated && lazy.Value.IsCompletedSuccessfully) await lazy.Value.Result.DisposeAsync();
        }
        _clients.Clear();
    }
}
