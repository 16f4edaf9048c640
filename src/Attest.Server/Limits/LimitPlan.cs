using System.Globalization;
using Attest.Core.Config;

namespace Attest.Server.Limits;

/// <summary>What a counter measures: requests, tokens, or cost in micro-dollars.</summary>
public enum LimitMetric { Requests, Tokens, Cost }

/// <summary>One applicable limit for one request: the counter, the code naming it and when its window ends.</summary>
public sealed record PlannedCounter(CounterSpec Spec, LimitMetric Metric, string Code, string Description, DateTimeOffset WindowEnd);

/// <summary>
/// Works out which counters a request touches: per key (the key's own limits, else
/// <c>limits.keyDefaults</c>), per agent (<c>agents[].budget</c>) and per tenant (<c>tenants[].limits</c>);
/// requests and tokens per minute, tokens and cost per UTC day and calendar month. Zero or absent is unlimited.
/// </summary>
public static class LimitPlan
{
    /// <summary>Cost counters count micro-dollars so that Redis and Interlocked arithmetic stay integral.</summary>
    public const decimal MicrosPerDollar = 1_000_000m;
    /// <summary>Counters outlive their window by this much, so a late reconcile still finds them.</summary>
    public static readonly TimeSpan TtlSlack = TimeSpan.FromMinutes(2);

    public static List<PlannedCounter> Build(DateTimeOffset now, long tokens, decimal cost,
        LimitSet? key, string? keyId, LimitSet? agent, string? agentId, LimitSet? tenant, string tenantId)
    {
        var list = new List<PlannedCounter>(8);
        if (keyId is not null) Add(list, now, "key", keyId, key, tokens, cost);
        if (agentId is not null) Add(list, now, "agent", agentId, agent, tokens, cost);
        Add(list, now, "tenant", tenantId, tenant, tokens, cost);
        return list;
    }

    /// <summary>The key's own limits, each unset field filled from the defaults.</summary>
    public static LimitSet? Merge(LimitSet? own, LimitSet? defaults) => (own, defaults) switch
    {
        (null, null) => null,
        (null, _) => defaults,
        (_, null) => own,
        _ => new LimitSet
        {
            RequestsPerMinute = own.RequestsPerMinute ?? defaults.RequestsPerMinute,
            TokensPerMinute = own.TokensPerMinute ?? defaults.TokensPerMinute,
            TokensPerDay = own.TokensPerDay ?? defaults.TokensPerDay,
            TokensPerMonth = own.TokensPerMonth ?? defaults.TokensPerMonth,
            CostPerDay = own.CostPerDay ?? defaults.CostPerDay,
            CostPerMonth = own.CostPerMonth ?? defaults.CostPerMonth,
        },
    };

    public static long ToMicros(decimal dollars) => (long)decimal.Ceiling(dollars * MicrosPerDollar);

    private static void Add(List<PlannedCounter> list, DateTimeOffset now, string scope, string id, LimitSet? set, long tokens, decimal cost)
    {
        if (set is null) return;
        var minute = new DateTimeOffset(now.UtcTicks - now.UtcTicks % TimeSpan.TicksPerMinute, TimeSpan.Zero);
        var day = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);
        var month = new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero);
        var minuteId = (minute.UtcTicks / TimeSpan.TicksPerMinute).ToString(CultureInfo.InvariantCulture);
        var dayId = day.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        var monthId = month.ToString("yyyyMM", CultureInfo.InvariantCulture);
        One(list, now, scope, id, "rpm", minuteId, minute.AddMinutes(1), set.RequestsPerMinute, 1, LimitMetric.Requests, "rate_limit_rpm", "requests per minute");
        One(list, now, scope, id, "tpm", minuteId, minute.AddMinutes(1), set.TokensPerMinute, tokens, LimitMetric.Tokens, "rate_limit_tpm", "tokens per minute");
        One(list, now, scope, id, "tpd", dayId, day.AddDays(1), set.TokensPerDay, tokens, LimitMetric.Tokens, "budget_tokens_day", "tokens per day");
        One(list, now, scope, id, "tpmo", monthId, month.AddMonths(1), set.TokensPerMonth, tokens, LimitMetric.Tokens, "budget_tokens_month", "tokens per month");
        One(list, now, scope, id, "cpd", dayId, day.AddDays(1), set.CostPerDay is { } cd ? ToMicros(cd) : null, ToMicros(cost), LimitMetric.Cost, "budget_cost_day", "cost per day");
        One(list, now, scope, id, "cpmo", monthId, month.AddMonths(1), set.CostPerMonth is { } cm ? ToMicros(cm) : null, ToMicros(cost), LimitMetric.Cost, "budget_cost_month", "cost per month");
    }

    private static void One(List<PlannedCounter> list, DateTimeOffset now, string scope, string id, string metricName, string windowId,
        DateTimeOffset windowEnd, long? limit, long amount, LimitMetric metric, string code, string description)
    {
        if (limit is not > 0) return;
        // The hash tag keeps every counter in one Redis Cluster slot, so one script can touch them all.
        var key = $"{{attest}}:lim:{scope}:{id.Length}:{id}:{metricName}:{windowId}";
        list.Add(new PlannedCounter(new CounterSpec(key, amount, limit.Value, windowEnd - now + TtlSlack), metric,
            $"{code}_{scope}", $"{description} of {scope} '{id}'", windowEnd));
    }
}
