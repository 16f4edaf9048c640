using Attest.Server.Gateway;
using Microsoft.Extensions.Logging;

namespace Attest.Server.Limits;

/// <summary>
/// Amounts taken from every counter of a request. Reconcile or release once; later calls do nothing.
/// Disposing without either keeps the estimate as spent (the conservative choice). If the store is
/// unreachable at reconcile or release the estimate stays spent and a warning is logged. Thread-safe.
/// </summary>
internal sealed partial class UsageReservation(ICounterStore store, List<PlannedCounter> plan, ILogger logger) : IUsageReservation
{
    private int _settled;

    public async ValueTask ReconcileAsync(long actualTokens, decimal actualCost, CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _settled, 1) != 0) return;
        var micros = LimitPlan.ToMicros(Math.Max(0m, actualCost));
        var tokens = Math.Max(0, actualTokens);
        var changes = new List<CounterAdjustment>(plan.Count);
        foreach (var p in plan)
        {
            var delta = p.Metric switch
            {
                LimitMetric.Tokens => tokens - p.Spec.Amount,
                LimitMetric.Cost => micros - p.Spec.Amount,
                _ => 0,
            };
            if (delta != 0) changes.Add(new CounterAdjustment(p.Spec.Key, delta, p.Spec.Ttl));
        }
        await ApplyAsync(changes, cancellationToken);
    }

    public async ValueTask ReleaseAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _settled, 1) != 0) return;
        await ApplyAsync(plan.ConvertAll(p => new CounterAdjustment(p.Spec.Key, -p.Spec.Amount, p.Spec.Ttl)), cancellationToken);
    }

    public ValueTask DisposeAsync()
    {
        Interlocked.Exchange(ref _settled, 1);
        return ValueTask.CompletedTask;
    }

    private async ValueTask ApplyAsync(List<CounterAdjustment> changes, CancellationToken cancellationToken)
    {
        if (changes.Count == 0) return;
        try { await store.AdjustAsync(changes, cancellationToken); }
        catch (LimitsUnavailableException e) { LogAdjustFailed(logger, e.Message); }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not settle a usage reservation; the estimate stays counted: {Reason}")]
    private static partial void LogAdjustFailed(ILogger logger, string reason);
}
