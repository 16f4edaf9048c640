using Attest.Core.Config;
using Attest.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace Attest.Cli.Commands;

/// <summary>
/// Opens Attest in-process against the database the config names (not listening), so CLI verbs use the same
/// services, stores and audit log as the server and every replica.
/// </summary>
internal static class AgentsCli
{
    public static (IPolicySource? Policy, int? Error) LoadPolicy(FileInfo? config)
    {
        var path = CliCommon.ResolveConfigPath(config);
        if (!File.Exists(path)) return (null, CliCommon.Fail($"{path}: no such file (pass --config or set ATTEST_CONFIG)", ExitCodes.Usage));
        try { return (PolicySources.FromFile(path), null); }
        catch (ConfigException e) { return (null, CliCommon.Fail(e.Message, ExitCodes.Usage)); }
    }

    public static async Task<(WebApplication? App, int? Error)> OpenAsync(FileInfo? config, CancellationToken ct)
    {
        var (policy, error) = LoadPolicy(config);
        if (policy is null) return (null, error);
        try
        {
            // Logging off: `attest mcp serve` speaks JSON-RPC on stdout and nothing else may write there.
            var app = await AttestHost.BuildAsync(policy, new AttestHostOptions { Listen = "http://127.0.0.1:0", LogLevel = LogLevel.None }, ct);
            return (app, null);
        }
        catch (InvalidOperationException e) { return (null, CliCommon.Fail(e.Message)); }
        catch (System.Data.Common.DbException e) { return (null, CliCommon.Fail($"database unavailable: {e.Message}")); }
    }
}
