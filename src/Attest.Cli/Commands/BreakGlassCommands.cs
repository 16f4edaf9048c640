using System.CommandLine;
using System.Text.Json;
using Attest.Agents.BreakGlass;
using Microsoft.Extensions.DependencyInjection;

namespace Attest.Cli.Commands;

/// <summary><c>attest breakglass start|end|status</c>.</summary>
internal static class BreakGlassCommands
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static Command Create()
    {
        var root = new Command("breakglass", "Time-boxed emergency access: bypasses approvals for agents in scope, recorded and alerted");
        var config = CliCommon.ConfigOption();
        var who = new Option<string>("--as") { Description = "Admin principal", Required = true };
        var reason = new Option<string>("--reason") { Description = "Why (recorded and sent with the alert)", Required = true };
        var duration = new Option<string>("--duration") { Description = "How long, e.g. 30m or 1h (at most breakGlass.maxDuration)", Required = true };
        var agent = new Option<string?>("--agent") { Description = "Only this agent (default: every agent of the tenant)" };
        var start = new Command("start", "Start a break-glass session") { config, who, reason, duration, agent };
        start.SetAction(async (parse, ct) =>
        {
            var (app, error) = await AgentsCli.OpenAsync(parse.GetValue(config), ct);
            if (app is null) return error!.Value;
            await using var _ = app;
            var r = await app.Services.GetRequiredService<BreakGlassService>().StartAsync(parse.GetValue(who), parse.GetValue(reason), parse.GetValue(duration), parse.GetValue(agent), ct);
            if (!r.Ok) return CliCommon.Fail($"{r.Code}: {r.Message}", r.Code == "invalid_duration" ? ExitCodes.Usage : ExitCodes.Failure);
            Console.WriteLine($"break-glass {r.Session!.Id} active until {r.Session.ExpiresAt:yyyy-MM-dd HH:mm:ss} UTC (scope: {r.Session.Agent ?? "all agents"}); every action is recorded");
            return ExitCodes.Ok;
        });

        var id = new Option<string?>("--id") { Description = "Session id (default: every active session)" };
        var endAs = new Option<string>("--as") { Description = "Admin principal", Required = true };
        var endConfig = CliCommon.ConfigOption();
        var end = new Command("end", "End break-glass now") { endConfig, endAs, id };
        end.SetAction(async (parse, ct) =>
        {
            var (app, error) = await AgentsCli.OpenAsync(parse.GetValue(endConfig), ct);
            if (app is null) return error!.Value;
            await using var _ = app;
            var r = await app.Services.GetRequiredService<BreakGlassService>().EndAsync(parse.GetValue(endAs), parse.GetValue(id), ct);
            if (!r.Ok) return CliCommon.Fail($"{r.Code}: {r.Message}");
            Console.WriteLine($"break-glass {r.Session!.Id} ended");
            return ExitCodes.Ok;
        });

        var statusConfig = CliCommon.ConfigOption();
        var json = CliCommon.JsonOption();
        var status = new Command("status", "Show active break-glass sessions") { statusConfig, json };
        status.SetAction(async (parse, ct) =>
        {
            var (app, error) = await AgentsCli.OpenAsync(parse.GetValue(statusConfig), ct);
            if (app is null) return error!.Value;
            await using var _ = app;
            var open = await app.Services.GetRequiredService<BreakGlassService>().ActiveAsync(ct);
            if (parse.GetValue(json)) Console.WriteLine(JsonSerializer.Serialize(open, Json));
            else if (open.Count == 0) Console.WriteLine("no break-glass session is active");
            else foreach (var s in open) Console.WriteLine($"{s.Id} by {s.Principal} until {s.ExpiresAt:yyyy-MM-dd HH:mm:ss} UTC, scope {s.Agent ?? "all agents"}");
            return ExitCodes.Ok;
        });
        root.Subcommands.Add(start);
        root.Subcommands.Add(end);
        root.Subcommands.Add(status);
        return root;
    }
}
