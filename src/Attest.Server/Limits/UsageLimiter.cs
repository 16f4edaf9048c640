using Attest.Core.Config;
using Attest.Core.Identity;
using Attest.Server.Gateway;
using Attest.Server.Keys;
using Microsoft.Extensions.Logging;

namespace Attest.Server.Limits;

/// <summary>
/// <see cref="IUsageLimiter"/> over an <see cref="ICounterStore"/>: reserves the estimate against
/// every applicable counter of key, agent and tenant at once (all or nothing), and answers a denial
/// naming the first limit that would be passed, with the time to its next window. If the store is
/// unreachable the request is denied with <c>limits_unavailable</c> (fail closed). Thread-safe.
/// </summary>
public sealed partial class UsageLimiter(ICounterStore store, IPolicySource policy, KeyDirectory keys, TimeProvider time,
    ILogger<UsageLimiter> logger) : IUsageLimiter
{
    private static readonly TimeSpan UnavailableRetry = TimeSpan.FromSeconds(1);

    public ICounterStore Store => store;

    public async ValueTask<(IUsageReservation? Reservation, LimitDenial? Denial)> ReserveAsync(
        RequestIdentity identity, UsageEstimate estimate, CancellationToken cancellationToken = default)
    {
        var snapshot = policy.Current;
        var now = time.GetUtcNow();
        List<PlannedCounter> plan;
        try
        {
            var keyLimits = identity.KeyId is { } id ? await KeyLimitsAsync(snapshot, id, cancellationToken) : null;
            var agentLimits = identity.Agent is { } a && snapshot.Agents.TryGetValue(a, out var agent) ? agent.Budget : null;
            var tenantLimits = snapshot.Tenants.TryGetValue(identity.Tenant, out var tenant) ? tenant.Limits : null;
            plan = LimitPlan.Build(now, Math.Max(0, estimate.Tokens), Math.Max(0m, estimate.Cost),
                keyLimits, identity.KeyId, agentLimits, identity.Agent, tenantLimits, identity.Tenant);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Limits that cannot be worked out are not enforced limits: deny.
            LogUnavailable(logger, e.GetType().Name);
            return (null, new LimitDenial(LimitCodes.Unavailable, "limits could not be evaluated; try again", UnavailableRetry));
        }
        if (plan.Count == 0) return (new UsageReservation(store, [], logger), null);

        var specs = plan.ConvertAll(p => p.Spec);
        int refused;
        try { refused = await store.TryReserveAsync(specs, cancellationToken); }
        catch (LimitsUnavailableException e)
        {
            LogUnavailable(logger, e.Message);
            return (null, new LimitDenial(LimitCodes.Unavailable, "the shared limit store is unreachable; request denied", UnavailableRetry));
        }
        if (refused < 0) return (new UsageReservation(store, plan, logger), null);

        var p = plan[refused];
        var retry = p.WindowEnd - now;
        var message = p.Spec.Amount > p.Spec.Limit
            ? $"this request alone ({p.Spec.Amount}) exceeds the limit of {p.Spec.Limit} {p.Description}"
            : $"limit of {p.Spec.Limit} {p.Description} reached; retry after {LimitCodes.RetryAfterSeconds(retry)}s";
        LogDenied(logger, p.Code, identity.Tenant, identity.KeyId);
        return (null, new LimitDenial(p.Code, message, retry));
    }

    private async ValueTask<LimitSet?> KeyLimitsAsync(PolicySnapshot snapshot, string keyId, CancellationToken cancellationToken)
    {
        var defaults = snapshot.Config.Limits.KeyDefaults;
        var declared = snapshot.Config.Keys.FirstOrDefault(k => k.Id == keyId);
        if (declared is not null) return LimitPlan.Merge(declared.Limits, defaults);
        var key = await keys.GetAsync(keyId, cancellationToken);
        var own = key is null || (key.RequestsPerMinute is null && key.TokensPerMinute is null)
            ? null
            : new LimitSet { RequestsPerMinute = key.RequestsPerMinute, TokensPerMinute = key.TokensPerMinute };
        return LimitPlan.Merge(own, defaults);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Limits unavailable, request denied: {Reason}")]
    private static partial void LogUnavailable(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Limit {Code} refused a request of tenant {Tenant} key {KeyId}")]
    private static partial void LogDenied(ILogger logger, string code, string tenant, string? keyId);
}
