using System.IO.Pipelines;
using System.Text.Json;
using Attest.Agents.Mcp;
using Attest.Core.Audit;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Attest.Agents.Tests;

/// <summary>The gate in front of the real @modelcontextprotocol/server-filesystem, over HTTP and as an MCP server.</summary>
public sealed class McpGateTests : IAsyncLifetime
{
    private AgentsHost _h = null!;

    public async Task InitializeAsync() => _h = await AgentsHost.StartAsync();
    public async Task DisposeAsync() => await _h.DisposeAsync();

    private Task<(int Status, JsonElement Body)> Invoke(string tool, object args, string? approval = null) =>
        _h.PostAsync("k-filer", $"/v1/tools/{tool}/invoke", approval is null ? new { arguments = args } : new { arguments = args, approval_id = approval });

    [Fact]
    public async Task Allowed_read_returns_the_file_through_the_real_MCP_server()
    {
        var (status, body) = await Invoke("files_read", new { path = Path.Combine(_h.Files, "report.txt") });
        Assert.Equal(200, status);
        Assert.Contains("quarterly numbers: 42", body.GetProperty("result").GetString());
        Assert.Single(_h.Audit.OfType(AuditEventTypes.ToolCall));
        Assert.Single(_h.Audit.OfType(AuditEventTypes.ToolResult));
    }

    [Fact]
    public async Task Path_outside_scope_is_denied_including_traversal()
    {
        var (s1, b1) = await Invoke("files_read", new { path = Path.Combine(_h.Files, "..", "secret.txt") });
        Assert.Equal(403, s1);
        Assert.Equal("constraint_violation", b1.GetProperty("error").GetProperty("code").GetString());
        var (s2, _) = await Invoke("files_read", new { path = "/etc/passwd" });
        Assert.Equal(403, s2);
        Assert.Empty(_h.Audit.OfType(AuditEventTypes.ToolCall));
        Assert.Equal(2, _h.Audit.OfType(AuditEventTypes.ToolDenied).Count);
    }

    [Fact]
    public async Task Tool_outside_the_allow_list_and_bad_arguments_are_refused()
    {
        var (s1, b1) = await Invoke("files_list", new { path = _h.Files });
        Assert.Equal(403, s1);
        Assert.Equal("tool_not_allowed", b1.GetProperty("error").GetProperty("code").GetString());
        var (s2, b2) = await Invoke("files_write", new { path = Path.Combine(_h.Files, "out", "a.txt") });
        Assert.Equal(400, s2);
        Assert.Equal("invalid_arguments", b2.GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task Write_waits_for_approval_then_runs_once_with_exactly_those_arguments()
    {
        var target = Path.Combine(_h.Files, "out", "summary.txt");
        var args = new { path = target, content = "approved text" };
        var (s1, b1) = await Invoke("files_write", args);
        Assert.Equal(202, s1);
        Assert.Equal("approval_required", b1.GetProperty("error").GetProperty("code").GetString());
        var id = b1.GetProperty("approval").GetProperty("id").GetString()!;
        Assert.False(File.Exists(target));

        // The agent's own key and a principal without the role cannot approve.
        Assert.Equal(403, (await _h.PostAsync("k-filer", $"/v1/approvals/{id}/approve", new { reason = "me" })).Status);
        Assert.Equal(403, (await _h.PostAsync("k-carol", $"/v1/approvals/{id}/approve", new { reason = "me" })).Status);
        Assert.Equal(400, (await _h.PostAsync("k-alice", $"/v1/approvals/{id}/approve", new { reason = "" })).Status);
        var (sa, _) = await _h.PostAsync("k-alice", $"/v1/approvals/{id}/approve", new { reason = "reviewed" });
        Assert.Equal(200, sa);

        // An approval for other arguments does not apply.
        var (sm, bm) = await Invoke("files_write", new { path = target, content = "something else" }, id);
        Assert.Equal(403, sm);
        Assert.Equal("approval_mismatch", bm.GetProperty("error").GetProperty("code").GetString());
        Assert.False(File.Exists(target));

        var (s2, _) = await Invoke("files_write", args, id);
        Assert.Equal(200, s2);
        Assert.Equal("approved text", await File.ReadAllTextAsync(target));

        // Single use.
        var (s3, b3) = await Invoke("files_write", args, id);
        Assert.Equal(403, s3);
        Assert.Equal("approval_used", b3.GetProperty("error").GetProperty("code").GetString());
        foreach (var t in new[] { AuditEventTypes.ApprovalRequested, AuditEventTypes.ApprovalGranted, AuditEventTypes.ApprovalUsed })
            Assert.Single(_h.Audit.OfType(t));
    }

    [Fact]
    public async Task Denied_and_expired_approvals_fail()
    {
        var target = Path.Combine(_h.Files, "out", "x.txt");
        var (_, b1) = await Invoke("files_write", new { path = target, content = "one" });
        var denied = b1.GetProperty("approval").GetProperty("id").GetString()!;
        Assert.Equal(200, (await _h.PostAsync("k-bob", $"/v1/approvals/{denied}/deny", new { reason = "not today" })).Status);
        var (sd, bd) = await Invoke("files_write", new { path = target, content = "one" }, denied);
        Assert.Equal(403, sd);
        Assert.Equal("approval_denied", bd.GetProperty("error").GetProperty("code").GetString());

        var (_, b2) = await Invoke("files_write", new { path = target, content = "two" });
        var late = b2.GetProperty("approval").GetProperty("id").GetString()!;
        Assert.Equal(200, (await _h.PostAsync("k-alice", $"/v1/approvals/{late}/approve", new { reason = "ok" })).Status);
        _h.Time.Advance(TimeSpan.FromHours(2));
        var (se, be) = await Invoke("files_write", new { path = target, content = "two" }, late);
        Assert.Equal(403, se);
        Assert.Equal("approval_expired", be.GetProperty("error").GetProperty("code").GetString());
        Assert.False(File.Exists(target));
        Assert.NotEmpty(_h.Audit.OfType(AuditEventTypes.ApprovalExpired));
    }

    [Fact]
    public async Task As_an_MCP_server_lists_only_allowed_tools_and_gates_calls()
    {
        var gate = _h.Service<McpGateServer>();
        var identity = gate.IdentityFor("filer");
        var toServer = new Pipe();
        var toClient = new Pipe();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var serverTask = gate.RunAsync(new StreamServerTransport(toServer.Reader.AsStream(), toClient.Writer.AsStream()), identity, cts.Token);
        await using (var client = await McpClient.CreateAsync(new StreamClientTransport(toServer.Writer.AsStream(), toClient.Reader.AsStream()), cancellationToken: cts.Token))
        {
            var tools = await client.ListToolsAsync(cancellationToken: cts.Token);
            Assert.Equal(["files_read", "files_write"], tools.Select(t => t.Name).Order(StringComparer.Ordinal));

            var read = await client.CallToolAsync("files_read", new Dictionary<string, object?> { ["path"] = Path.Combine(_h.Files, "report.txt") }, cancellationToken: cts.Token);
            Assert.NotEqual(true, read.IsError);
            Assert.Contains("quarterly numbers", ((TextContentBlock)read.Content[0]).Text);

            var writeArgs = new Dictionary<string, object?> { ["path"] = Path.Combine(_h.Files, "out", "mcp.txt"), ["content"] = "via mcp" };
            var pending = await client.CallToolAsync("files_write", writeArgs, cancellationToken: cts.Token);
            Assert.True(pending.IsError);
            var text = ((TextContentBlock)pending.Content[0]).Text;
            Assert.StartsWith("approval_required", text);
            var id = text[(text.IndexOf("approval_id=", StringComparison.Ordinal) + "approval_id=".Length)..].TrimEnd(')');
            Assert.Equal(200, (await _h.PostAsync("k-alice", $"/v1/approvals/{id}/approve", new { reason = "fine" })).Status);

            var done = await client.CallToolAsync("files_write", writeArgs, cancellationToken: cts.Token);
            Assert.NotEqual(true, done.IsError);
            Assert.Equal("via mcp", await File.ReadAllTextAsync(Path.Combine(_h.Files, "out", "mcp.txt")));

            var outside = await client.CallToolAsync("files_read", new Dictionary<string, object?> { ["path"] = "/etc/hostname" }, cancellationToken: cts.Token);
            Assert.True(outside.IsError);
            Assert.StartsWith("constraint_violation", ((TextContentBlock)outside.Content[0]).Text);
        }
        await cts.CancelAsync();
        try { await serverTask; } catch (OperationCanceledException) { }
    }

    [Fact]
    public async Task Streamable_HTTP_endpoint_serves_the_agent_bound_to_the_key()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var transport = new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = new Uri(_h.Http.BaseAddress!, "/v1/mcp"),
            TransportMode = HttpTransportMode.StreamableHttp,
            AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = "Bearer k-filer" },
        });
        await using var client = await McpClient.CreateAsync(transport, cancellationToken: cts.Token);
        var tools = await client.ListToolsAsync(cancellationToken: cts.Token);
        Assert.Equal(["files_read", "files_write"], tools.Select(t => t.Name).Order(StringComparer.Ordinal));
        var read = await client.CallToolAsync("files_read", new Dictionary<string, object?> { ["path"] = Path.Combine(_h.Files, "report.txt") }, cancellationToken: cts.Token);
        Assert.Contains("quarterly numbers", ((TextContentBlock)read.Content[0]).Text);
        var write = await client.CallToolAsync("files_write", new Dictionary<string, object?> { ["path"] = Path.Combine(_h.Files, "out", "h.txt"), ["content"] = "x" }, cancellationToken: cts.Token);
        Assert.True(write.IsError);
        Assert.StartsWith("approval_required", ((TextContentBlock)write.Content[0]).Text);
        Assert.False(File.Exists(Path.Combine(_h.Files, "out", "h.txt")));
    }
}
