using System.CommandLine;
using Attest.Cli.Demo;
using Attest.Core.Config;
using Attest.Server.Hosting;
using Microsoft.Extensions.Hosting;

namespace Attest.Cli.Commands;

/// <summary><c>attest serve</c> and <c>attest demo</c>.</summary>
internal sealed class ServeCommands : ICliModule
{
    public IEnumerable<Command> Commands()
    {
        var config = CliCommon.ConfigOption();
        var listen = new Option<string?>("--listen") { Description = "Listen URL (default: server.listen, http://127.0.0.1:8080)" };
        var serve = new Command("serve", "Start the Attest server (gateway, audit, retrieval, tools, evidence) with attest.yaml") { config, listen };
        serve.SetAction(async (parse, ct) =>
        {
            var path = CliCommon.ResolveConfigPath(parse.GetValue(config));
            if (!File.Exists(path)) return CliCommon.Fail($"{path}: no such file (run 'attest init' to write a starter config)");
            FileWatchingPolicySource policy;
            try { policy = PolicySources.FromFile(path); }
            catch (ConfigException e) { return CliCommon.Fail(e.Message); }
            using var watching = policy;
            await using var app = await AttestHost.BuildAsync(policy, new AttestHostOptions { Listen = parse.GetValue(listen) }, ct);
            await app.StartAsync(ct);
            Console.WriteLine($"Attest is serving on {AttestHost.BoundAddress(app)} — Ctrl+C to stop");
            await app.WaitForShutdownAsync(ct);
            return ExitCodes.Ok;
        });

        var keep = new Option<bool>("--keep") { Description = "Keep the demo's working folder" };
        var demo = new Command("demo", "Run the end-to-end story on the embedded default and check each step") { keep };
        demo.SetAction((parse, ct) => DemoRunner.RunAsync(parse.GetValue(keep), ct));
        return [serve, demo];
    }
}
