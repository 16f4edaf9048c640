using System.Diagnostics;
using Attest.Agents.Approvals;
using Attest.Agents.BreakGlass;
using Attest.Agents.Execution;
using Attest.Agents.Gate;
using Attest.Core.Audit;
using Attest.Core.Config;
using Attest.Core.Guards;
using Attest.Core.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Attest.Cli.Demo;

/// <summary>
/// An agent reads a file through the real MCP filesystem server, a write waits for a human and is approved by a
/// different principal, and calls outside the agent's domain are denied. The sample's MCP folder
/// (<c>/srv/attest-demo/files</c>) and server path are rewritten to the demo's temp folder and this checkout.
/// </summary>
internal sealed class AgentsDemoStep : IDemoStep
{
    private const string SampleFolder = "/srv/attest-demo/files";
    private const string Agent = "files-assistant";

    public int Order => 50;
    public string Title => "Agent tool gate: MCP read, approved write, out-of-domain denial";
    public string Controls => "CC6.1, CC6.3, CC8.1";

    public async Task<bool> RunAsync(DemoContext context, CancellationToken cancellationToken)
    {
        var entry = await DemoNode.FindFilesystemServerAsync(context, cancellationToken);
        if (entry is null) return false;
        var folder = Path.Combine(context.WorkDirectory, "agent-files");
        Directory.CreateDirectory(Path.Combine(folder, "out"));
        await File.WriteAllTextAsync(Path.Combine(folder, "q3-report.txt"), "Q3 revenue grew 12% on renewals.", cancellationToken);
        var policy = new StaticPolicySource(Rewrite(context.Policy.Current, folder, entry));

        var sp = context.Server.Services;
        var audit = sp.GetService<IAuditLog>() ?? NullAuditLog.Instance;
        var time = sp.GetRequiredService<TimeProvider>();
        var store = sp.GetRequiredService<IApprovalStore>();
        var approvals = new ApprovalService(store, policy, audit, time);
        await using var pool = new McpUpstreamPool(Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance); // the SDK logs protocol probes as warnings
        var gate = new ToolGate(policy, store, approvals,
            new BreakGlassService(sp.GetRequiredService<IBreakGlassStore>(), policy, audit, time, sp.GetService<IBreakGlassAlertSink>()),
            new ToolInvoker(sp.GetRequiredService<HttpToolExecutor>(), pool), audit, time, sp.GetRequiredService<ILogger<ToolGate>>(), sp.GetService<IGuardPipeline>());
        var agent = new RequestIdentity { Tenant = "acme", Agent = Agent, KeyId = "demo-key-" + Agent };
        var ok = true;

        var read = await gate.InvokeAsync(agent, "files_read", Json(("path", Path.Combine(folder, "q3-report.txt"))), null, cancellationToken);
        context.Say($"{Agent} reads q3-report.txt over MCP -> {Describe(read)}: \"{read.Result}\"");
        ok &= read.Status == GateStatus.Completed && read.Result?.Contains("12%", StringComparison.Ordinal) == true;

        var target = Path.Combine(folder, "out", "q3-summary.txt");
        var writeArgs = Json(("path", target), ("content", "Summary: renewals drove Q3 growth."));
        var pending = await gate.InvokeAsync(agent, "files_write", writeArgs, null, cancellationToken);
        context.Say($"{Agent} writes out/q3-summary.txt -> {Describe(pending)} (approval {pending.ApprovalId}); file exists: {File.Exists(target)}");
        ok &= pending.Status == GateStatus.ApprovalPending && !File.Exists(target);

        var self = await approvals.ApproveAsync(pending.ApprovalId ?? "", new ApproverIdentity(null, agent.KeyId, Agent), "self", cancellationToken);
        context.Say($"the agent's own key tries to approve -> {self.Code}");
        var granted = await approvals.ApproveAsync(pending.ApprovalId ?? "", new ApproverIdentity("dana", "cli:dana", null), "summary reviewed", cancellationToken);
        context.Say($"dana (approver) approves -> {(granted.Ok ? "granted" : granted.Code)}");
        ok &= !self.Ok && granted.Ok;

        var written = await gate.InvokeAsync(agent, "files_write", writeArgs, null, cancellationToken);
        context.Say($"{Agent} retries the same write -> {Describe(written)}; file exists: {File.Exists(target)}");
        var reused = await gate.InvokeAsync(agent, "files_write", writeArgs, pending.ApprovalId, cancellationToken);
        context.Say($"replaying the used approval -> {Describe(reused)}");
        ok &= written.Status == GateStatus.Completed && File.Exists(target) && reused.Code == GateCodes.ApprovalUsed;

        var outside = await gate.InvokeAsync(agent, "files_read", Json(("path", "/etc/passwd")), null, cancellationToken);
        context.Say($"{Agent} reads /etc/passwd (outside its domain) -> {Describe(outside)}");
        var notAllowed = await gate.InvokeAsync(agent, "billing_refund", Json(("customer", "c-1"), ("amount", "5")), null, cancellationToken);
        context.Say($"{Agent} calls billing_refund (not in its allow-list) -> {Describe(notAllowed)}");
        ok &= outside.Code == GateCodes.ConstraintViolation && notAllowed.Code == GateCodes.ToolNotAllowed;
        context.Say("every step above is an audit event: tool.call, tool.result, tool.denied, approval.requested/granted/used");
        return ok;
    }

    private static string Describe(GateOutcome o) => o.Status switch
    {
        GateStatus.Completed => "allowed",
        GateStatus.ApprovalPending => $"202 {o.Code}",
        _ => $"{o.HttpStatus} {o.Code}",
    };

    private static string Json(params (string Key, string Value)[] pairs) =>
        System.Text.Json.JsonSerializer.Serialize(pairs.ToDictionary(p => p.Key, p => p.Value));

    private static PolicySnapshot Rewrite(PolicySnapshot s, string folder, string entry)
    {
        string R(string v) => v.Replace(SampleFolder, folder, StringComparison.Ordinal);
        ToolConstraintsConfig? C(ToolConstraintsConfig? c) => c is null ? null : c with { PathPrefixes = [.. c.PathPrefixes.Select(R)] };
        var tools = s.Config.Tools.Select(t => t.Mcp is null ? t : t with
        {
            Mcp = t.Mcp with { Args = [.. t.Mcp.Args.Select(a => a.EndsWith("server-filesystem/dist/index.js", StringComparison.Ordinal) ? entry : R(a))] },
            Constraints = C(t.Constraints),
        }).ToList();
        return new PolicySnapshot(s.Config with { Tools = tools }, s.ContentHash, s.SourcePath, s.BaseDirectory);
    }
}

/// <summary>Finds (or installs) the MCP filesystem server from this checkout's eng/npm.</summary>
internal static class DemoNode
{
    private const string Relative = "node_modules/@modelcontextprotocol/server-filesystem/dist/index.js";

    public static async Task<string?> FindFilesystemServerAsync(DemoContext context, CancellationToken ct)
    {
        if (!await RunsAsync("node", "--version", null, ct))
        {
            context.Say("node is not installed: the MCP filesystem server cannot run (install Node.js 18+ and retry)");
            return null;
        }
        string? npmDir = null;
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var d = new DirectoryInfo(start); d is not null && npmDir is null; d = d.Parent)
                if (File.Exists(Path.Combine(d.FullName, "Attest.slnx")) && File.Exists(Path.Combine(d.FullName, "eng", "npm", "package.json")))
                    npmDir = Path.Combine(d.FullName, "eng", "npm");
        }
        if (npmDir is null)
        {
            context.Say("could not find eng/npm of an Attest checkout (run the demo from the repository)");
            return null;
        }
        var entry = Path.Combine(npmDir, Relative);
        if (File.Exists(entry)) return entry;
        context.Say($"installing the MCP filesystem server: npm install in {npmDir}");
        if (!await RunsAsync("npm", "install --no-audit --no-fund --loglevel=error", npmDir, ct) || !File.Exists(entry))
        {
            context.Say("npm install failed: the MCP filesystem server is not available");
            return null;
        }
        return entry;
    }

    private static async Task<bool> RunsAsync(string file, string args, string? dir, CancellationToken ct)
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo(file, args)
            {
                RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = dir ?? Directory.GetCurrentDirectory(),
            });
            if (p is null) return false;
            var drainOut = p.StandardOutput.ReadToEndAsync(ct);
            var drainErr = p.StandardError.ReadToEndAsync(ct);
            await p.WaitForExitAsync(ct);
            await Task.WhenAll(drainOut, drainErr);
            return p.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception) { return false; }
    }
}
