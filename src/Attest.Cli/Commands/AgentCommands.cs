using System.CommandLine;
using System.Text.Json;
using Attest.Agents.Approvals;
using Attest.Agents.Mcp;
using Attest.Agents.Policy;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Server;

namespace Attest.Cli.Commands;

/// <summary><c>attest agents|approvals|breakglass|mcp</c>: agent governance from the command line.</summary>
internal sealed class AgentCommands : ICliModule
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public IEnumerable<Command> Commands() => [Agents(), Approvals(), BreakGlassCommands.Create(), Mcp()];

    private static Command Agents()
    {
        var config = CliCommon.ConfigOption();
        var json = CliCommon.JsonOption();
        var list = new Command("list", "List agents, their domain, impact and tools") { config, json };
        list.SetAction((parse, ct) =>
        {
            var (policy, error) = AgentsCli.LoadPolicy(parse.GetValue(config));
            if (policy is null) return Task.FromResult(error!.Value);
            var catalog = AgentCatalog.For(policy.Current);
            var rows = catalog.Agents.Values.OrderBy(a => a.Id, StringComparer.Ordinal).Select(a => new
            {
                id = a.Id, tenant = a.Tenant, owner = a.Config.Owner, purpose = a.Config.Purpose, domain = a.Config.Domain,
                impact = a.Config.Impact ?? "low", model = a.Config.Model, can_message = a.Config.CanMessage, error = a.CompileError,
                tools = a.Tools.Values.OrderBy(t => t.Tool.Id, StringComparer.Ordinal).Select(t => new
                {
                    tool = t.Tool.Id, kind = t.Tool.Kind, impact = t.Tool.Impact, approval = t.Entry.Approval, when = t.Entry.When, error = t.CompileError,
                }),
            }).ToList();
            if (parse.GetValue(json)) Console.WriteLine(JsonSerializer.Serialize(rows, Json));
            else
            {
                Console.WriteLine($"{"AGENT",-16} {"TENANT",-10} {"IMPACT",-9} {"OWNER",-16} TOOLS (approval)");
                foreach (var r in rows)
                    Console.WriteLine($"{r.id,-16} {r.tenant,-10} {r.impact,-9} {r.owner ?? "-",-16} {string.Join(", ", r.tools.Select(t => $"{t.tool} ({t.approval}{(t.when is null ? "" : ": " + t.when)})"))}");
            }
            return Task.FromResult(rows.Any(r => r.error is not null || r.tools.Any(t => t.error is not null)) ? ExitCodes.Failure : ExitCodes.Ok);
        });
        return new Command("agents", "Agents declared in attest.yaml") { list };
    }

    private static Command Approvals()
    {
        var root = new Command("approvals", "Human approvals of high-impact tool calls");
        var config = CliCommon.ConfigOption();
        var json = CliCommon.JsonOption();
        var state = new Option<string?>("--state") { Description = "pending (default), granted, denied, expired or all" };
        var list = new Command("list", "List approvals") { config, json, state };
        list.SetAction(async (parse, ct) =>
        {
            var s = parse.GetValue(state) ?? ApprovalStates.Pending;
            if (s is not ("all" or ApprovalStates.Pending or ApprovalStates.Granted or ApprovalStates.Denied or ApprovalStates.Expired))
                return CliCommon.Fail($"--state '{s}' must be pending, granted, denied, expired or all", ExitCodes.Usage);
            var (app, error) = await AgentsCli.OpenAsync(parse.GetValue(config), ct);
            if (app is null) return error!.Value;
            await using var _ = app;
            var items = await app.Services.GetRequiredService<ApprovalService>().ListAsync(s == "all" ? null : s, 200, ct);
            if (parse.GetValue(json)) Console.WriteLine(JsonSerializer.Serialize(items, Json));
            else
            {
                Console.WriteLine($"{"ID",-30} {"STATE",-8} {"AGENT",-14} {"TOOL",-16} {"EXPIRES (UTC)",-20} ARGUMENTS");
                foreach (var a in items)
                    Console.WriteLine($"{a.Id,-30} {a.State + (a.Used ? "*" : ""),-8} {a.Agent,-14} {a.Tool,-16} {a.ExpiresAt:yyyy-MM-dd HH:mm:ss}  {Truncate(a.Arguments, 60)}");
            }
            return ExitCodes.Ok;
        });
        root.Subcommands.Add(list);
        root.Subcommands.Add(Decide("approve", true));
        root.Subcommands.Add(Decide("deny", false));
        return root;
    }

    private static Command Decide(string verb, bool grant)
    {
        var config = CliCommon.ConfigOption();
        var id = new Argument<string>("id") { Description = "Approval id (apr_...)" };
        var who = new Option<string>("--as") { Description = "Principal deciding (must hold the approver role)", Required = true };
        var reason = new Option<string>("--reason") { Description = "Why", Required = true };
        var cmd = new Command(verb, grant ? "Grant a pending approval" : "Deny a pending approval") { config, id, who, reason };
        cmd.SetAction(async (parse, ct) =>
        {
            var (app, error) = await AgentsCli.OpenAsync(parse.GetValue(config), ct);
            if (app is null) return error!.Value;
            await using var _ = app;
            var service = app.Services.GetRequiredService<ApprovalService>();
            var principal = parse.GetValue(who)!;
            var identity = new ApproverIdentity(principal, $"cli:{principal}", null);
            var result = grant
                ? await service.ApproveAsync(parse.GetValue(id)!, identity, parse.GetValue(reason), ct)
                : await service.DenyAsync(parse.GetValue(id)!, identity, parse.GetValue(reason), ct);
            if (!result.Ok) return CliCommon.Fail($"{result.Code}: {result.Message}");
            Console.WriteLine($"{result.Approval!.Id} {result.Approval.State} by {principal} ({result.Approval.Agent} -> {result.Approval.Tool})");
            return ExitCodes.Ok;
        });
        return cmd;
    }

    private static Command Mcp()
    {
        var config = CliCommon.ConfigOption();
        var agent = new Option<string>("--agent") { Description = "The agent this MCP session acts as", Required = true };
        var serve = new Command("serve", "Serve the agent's allowed tools over MCP on stdio, every call through Attest's gate") { config, agent };
        serve.SetAction(async (parse, ct) =>
        {
            var (app, error) = await AgentsCli.OpenAsync(parse.GetValue(config), ct);
            if (app is null) return error!.Value;
            await using var _ = app;
            var gate = app.Services.GetRequiredService<McpGateServer>();
            var name = parse.GetValue(agent)!;
            if (AgentCatalog.For(app.Services.GetRequiredService<Attest.Core.Config.IPolicySource>().Current).Agent(name) is null)
                return CliCommon.Fail($"agent '{name}' is not declared in the config", ExitCodes.Usage);
            var loggers = app.Services.GetRequiredService<ILoggerFactory>();
            await gate.RunAsync(new StdioServerTransport("attest", loggers), gate.IdentityFor(name), ct);
            return ExitCodes.Ok;
        });
        return new Command("mcp", "Attest as an MCP server for an agent") { serve };
    }

    private static string Truncate(string? s, int n) => s is null ? "" : s.Length <= n ? s : s[..(n - 1)] + "…";
}
