using Attest.Agents.Approvals;
using Attest.Agents.BreakGlass;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Attest.Server.Agents;

/// <summary>Expires due approvals and break-glass sessions (recording and alerting) even when nobody calls, every 15 s.</summary>
internal sealed partial class AgentsSweepService(ApprovalService approvals, BreakGlassService breakGlass, ILogger<AgentsSweepService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(15));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await approvals.ExpireDueAsync(stoppingToken);
                await breakGlass.ExpireDueAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException) // retried on the next tick; each use also expires
            {
                LogSweepFailed(logger, e.GetType().Name);
            }
        }
    }

    [LoggerMessage(EventId = 7101, Level = LogLevel.Warning, Message = "agents expiry sweep failed ({Error}); retrying")]
    private static partial void LogSweepFailed(ILogger logger, string error);
}
