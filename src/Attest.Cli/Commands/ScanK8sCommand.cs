using System.CommandLine;
using Attest.Core.Config;
using Attest.Scanning;
using Attest.Scanning.Model;
using Attest.Scanning.Output;

namespace Attest.Cli.Commands;

/// <summary>
/// <c>attest scan k8s PATH...|-</c>: deterministic RBAC posture scan. Exit 0 clean (or below <c>--fail-on</c>),
/// 1 when a finding reaches <c>--fail-on</c>, 2 for unreadable or malformed input (file:line:column on stderr).
/// </summary>
internal sealed class ScanK8sCommand : IScanSubcommand
{
    public Command Create()
    {
        var paths = new Argument<string[]>("paths") { Description = "Manifest files or folders (YAML or JSON, recursive), or - for stdin", Arity = ArgumentArity.OneOrMore };
        var json = CliCommon.JsonOption();
        var sarif = new Option<bool>("--sarif") { Description = "Write SARIF 2.1.0 instead of a table" };
        var failOn = new Option<string?>("--fail-on") { Description = "Exit 1 when a finding reaches this severity: info, low, medium, high, critical" };
        var config = new Option<FileInfo?>("--config", "-c") { Description = "attest.yaml with agents' serviceAccounts and kubernetesPermissions (optional)" };
        var command = new Command("k8s", "Scan Kubernetes RBAC and workloads for excess privilege, escalation paths and agents' credentials (SOC 2 CC6)")
        {
            paths, json, sarif, failOn, config,
        };
        command.SetAction((parse, _) => Task.FromResult(Run(parse.GetValue(paths) ?? [], parse.GetValue(json), parse.GetValue(sarif), parse.GetValue(failOn), parse.GetValue(config))));
        return command;
    }

    internal static int Run(string[] paths, bool json, bool sarif, string? failOn, FileInfo? config, TextReader? stdin = null, TextWriter? stdout = null)
    {
        if (json && sarif) return CliCommon.Fail("--json and --sarif cannot be combined", ExitCodes.Usage);
        Scanning.Rules.Severity? threshold = null;
        if (failOn is not null)
        {
            threshold = TableWriter.ParseSeverity(failOn);
            if (threshold is null) return CliCommon.Fail($"--fail-on: unknown severity '{failOn}' (use info, low, medium, high or critical)", ExitCodes.Usage);
        }
        PolicySnapshot? policy = null;
        if (config is not null)
        {
            if (!config.Exists) return CliCommon.Fail($"{config.FullName}: no such file", ExitCodes.Usage);
            try { policy = PolicySources.FromFile(config.FullName).Current; }
            catch (ConfigException e) { return CliCommon.Fail(e.Message, ExitCodes.Usage); }
        }
        ScanReport report;
        try
        {
            report = K8sScanner.Scan(K8sSource.FromPaths(paths, stdin), policy);
        }
        catch (ManifestException e) { return CliCommon.Fail(e.Message, ExitCodes.Usage); }
        catch (FileNotFoundException e) { return CliCommon.Fail(e.Message, ExitCodes.Usage); }
        catch (IOException e) { return CliCommon.Fail(e.Message, ExitCodes.Usage); }
        catch (UnauthorizedAccessException e) { return CliCommon.Fail(e.Message, ExitCodes.Usage); }
        var output = sarif ? SarifWriter.Write(report) : json ? JsonReportWriter.Write(report) : TableWriter.Write(report);
        (stdout ?? Console.Out).Write(output);
        return threshold is { } t && report.Reaches(t) ? ExitCodes.Failure : ExitCodes.Ok;
    }
}
