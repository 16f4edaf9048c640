using Attest.Audit.Log;
using Attest.Core.Config;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Attest.Server.Audit;

/// <summary>Signs a checkpoint every <c>audit.checkpointSeconds</c> when entries are pending, and a last one on shutdown.</summary>
internal sealed partial class AuditCheckpointTimer(AuditLog log, IPolicySource policy, TimeProvider time, ILogger<AuditCheckpointTimer> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var seconds = Math.Max(1, policy.Current.Config.Audit.CheckpointSeconds);
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(seconds), time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken)) await TryCheckpointAsync(stoppingToken);
        }
        catch (OperationCanceledException) { }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await TryCheckpointAsync(cancellationToken);
        await log.DisposeAsync();
    }

    private async Task TryCheckpointAsync(CancellationToken ct)
    {
        try { await log.CheckpointAsync(ct); }
        catch (Exception e) when (e is AuditWriteException or OperationCanceledException)
        {
            LogCheckpointFailed(logger, e.GetType().Name);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Audit checkpoint could not be signed ({Error}); retrying on the next tick")]
    private static partial void LogCheckpointFailed(ILogger logger, string error);
}
