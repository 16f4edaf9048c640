using Attest.Guards.Redaction;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Attest.Server.Guards;

/// <summary>Deletes the pseudonym mappings of expired conversations every minute (each lookup also ignores them).</summary>
internal sealed partial class PseudonymPurgeService(IPseudonymStore store, TimeProvider time, ILogger<PseudonymPurgeService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(1), time);
        do
        {
            try
            {
                // The store's contract is synchronous; keep the blocking call off the host's startup path.
                int removed = await Task.Run(() => store.Purge(time.GetUtcNow()), stoppingToken);
                if (removed > 0) LogPurged(logger, removed);
            }
            catch (Exception e) when (e is not OperationCanceledException) // retried on the next tick
            {
                LogPurgeFailed(logger, e.GetType().Name);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(EventId = 5201, Level = LogLevel.Information, Message = "purged {Count} expired pseudonym bindings")]
    private static partial void LogPurged(ILogger logger, int count);

    [LoggerMessage(EventId = 5202, Level = LogLevel.Warning, Message = "pseudonym purge failed ({Error}); retrying")]
    private static partial void LogPurgeFailed(ILogger logger, string error);
}
