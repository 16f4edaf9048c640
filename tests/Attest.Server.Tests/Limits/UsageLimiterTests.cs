using Attest.Core.Identity;
using Attest.Core.Time;
using Attest.Server.Gateway;
using Attest.Server.Limits;

namespace Attest.Server.Tests.Limits;

public class UsageLimiterTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 31, 23, 59, 30, TimeSpan.Zero);

    private static string Budget(string tenant, string limits) => $$"""
        tenants:
          - id: {{tenant}}
            limits: {{limits}}
        agents:
          - id: {{tenant}}-bot
            tenant: {{tenant}}
            budget: { tokensPerDay: 500 }
        models:
          - alias: m
            inputPricePer1K: 1
            outputPricePer1K: 2
        """;

    private static RequestIdentity Id(string tenant, string? agent = null) => new() { Tenant = tenant, Agent = agent };

    public static TheoryData<string> Backends()
    {
        var d = new TheoryData<string> { "memory" };
        if (LimitsTestKit.RedisEndpoint is not null || Environment.GetEnvironmentVariable("ATTEST_REQUIRE_SERVERS") == "1") d.Add("redis");
        return d;
    }

    private static ICounterStore Store(string backend, TimeProvider time) =>
        backend == "redis" ? LimitsTestKit.Redis() : new InMemoryCounterStore(time);

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task Two_hundred_concurrent_reservations_never_overspend_the_budget(string backend)
    {
        var tenant = LimitsTestKit.NewTenant();
        var (limiter, _) = await LimitsTestKit.CreateAsync(Budget(tenant, "{ tokensPerDay: 10000 }"), Store(backend, TimeProvider.System), TimeProvider.System);
        var results = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Task.Run(async () =>
            await limiter.ReserveAsync(Id(tenant), new UsageEstimate("m", 30 + i % 70, 0)))));
        var spent = results.Select((r, i) => r.Reservation is null ? 0 : 30 + i % 70).Sum();
        Assert.True(spent <= 10000, $"reserved {spent} > budget");
        Assert.True(spent > 10000 - 100, $"reserved only {spent}: a request that fitted was refused");
        Assert.All(results.Where(r => r.Denial is not null), r => Assert.Equal("budget_tokens_day_tenant", r.Denial!.Code));
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task Reservation_is_all_or_nothing_across_key_agent_and_tenant(string backend)
    {
        var tenant = LimitsTestKit.NewTenant();
        var (limiter, _) = await LimitsTestKit.CreateAsync(Budget(tenant, "{ tokensPerDay: 1000 }"), Store(backend, TimeProvider.System), TimeProvider.System);
        var (r1, d1) = await limiter.ReserveAsync(Id(tenant, $"{tenant}-bot"), new UsageEstimate("m", 400, 0));
        Assert.NotNull(r1);
        Assert.Null(d1);
        // The agent's 500/day refuses the next 400; the tenant counter must not keep that 400.
        var (r2, d2) = await limiter.ReserveAsync(Id(tenant, $"{tenant}-bot"), new UsageEstimate("m", 400, 0));
        Assert.Null(r2);
        Assert.Equal("budget_tokens_day_agent", d2!.Code);
        var (r3, _) = await limiter.ReserveAsync(Id(tenant), new UsageEstimate("m", 600, 0));
        Assert.NotNull(r3);
        var (_, d4) = await limiter.ReserveAsync(Id(tenant), new UsageEstimate("m", 1, 0));
        Assert.Equal("budget_tokens_day_tenant", d4!.Code);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task Release_gives_the_estimate_back_and_reconcile_replaces_it(string backend)
    {
        var tenant = LimitsTestKit.NewTenant();
        var (limiter, _) = await LimitsTestKit.CreateAsync(Budget(tenant, "{ tokensPerDay: 1000, costPerDay: 1.0 }"), Store(backend, TimeProvider.System), TimeProvider.System);
        var (r1, _) = await limiter.ReserveAsync(Id(tenant), new UsageEstimate("m", 900, 0.5m));
        await r1!.ReleaseAsync();
        await r1.ReconcileAsync(900, 0.5m); // settled once: no effect
        var (r2, _) = await limiter.ReserveAsync(Id(tenant), new UsageEstimate("m", 900, 0.5m));
        Assert.NotNull(r2);
        await r2.ReconcileAsync(100, 0.1m);
        var (r3, _) = await limiter.ReserveAsync(Id(tenant), new UsageEstimate("m", 850, 0.85m));
        Assert.NotNull(r3);
        var (_, d4) = await limiter.ReserveAsync(Id(tenant), new UsageEstimate("m", 60, 0));
        Assert.Equal("budget_tokens_day_tenant", d4!.Code);
        var (_, d5) = await limiter.ReserveAsync(Id(tenant), new UsageEstimate("m", 0, 0.1m));
        Assert.Equal("budget_cost_day_tenant", d5!.Code);
    }

    [Fact]
    public async Task Windows_roll_over_on_the_minute_day_and_month_with_retry_after_to_the_next_window()
    {
        var tenant = LimitsTestKit.NewTenant();
        var clock = new ManualTimeProvider(T0);
        var (limiter, _) = await LimitsTestKit.CreateAsync(Budget(tenant, "{ requestsPerMinute: 2, tokensPerMonth: 300 }"), new InMemoryCounterStore(clock), clock);
        Assert.NotNull((await limiter.ReserveAsync(Id(tenant), new UsageEstimate("m", 100, 0))).Reservation);
        Assert.NotNull((await limiter.ReserveAsync(Id(tenant), new UsageEstimate("m", 100, 0))).Reservation);
        var (_, rpm) = await limiter.ReserveAsync(Id(tenant), new UsageEstimate("m", 100, 0));
        Assert.Equal("rate_limit_rpm_tenant", rpm!.Code);
        Assert.Equal(TimeSpan.FromSeconds(30), rpm.RetryAfter);

        clock.Advance(TimeSpan.FromSeconds(20)); // 23:59:50, same minute
        Assert.Equal("rate_limit_rpm_tenant", (await limiter.ReserveAsync(Id(tenant), new UsageEstimate("m", 100, 0))).Denial!.Code);
        clock.Advance(TimeSpan.FromSeconds(5)); // 23:59:55: still January
        clock.Set(new DateTimeOffset(2026, 1, 31, 23, 59, 59, TimeSpan.Zero));
        Assert.Equal("rate_limit_rpm_tenant", (await limiter.ReserveAsync(Id(tenant), new UsageEstimate("m", 100, 0))).Denial!.Code);

        clock.Set(new DateTimeOffset(2026, 2, 1, 0, 0, 0, TimeSpan.Zero)); // new minute, day and month
        Assert.NotNull((await limiter.ReserveAsync(Id(tenant), new UsageEstimate("m", 300, 0))).Reservation);
        clock.Advance(TimeSpan.FromMinutes(5));
        var (_, month) = await limiter.ReserveAsync(Id(tenant), new UsageEstimate("m", 1, 0));
        Assert.Equal("budget_tokens_month_tenant", month!.Code);
        Assert.Equal(new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero) - clock.GetUtcNow(), month.RetryAfter);
    }

    [Fact]
    public async Task Key_limits_come_from_the_key_else_from_key_defaults()
    {
        var tenant = LimitsTestKit.NewTenant();
        var yaml = $$"""
            tenants: [ { id: {{tenant}} } ]
            limits: { keyDefaults: { requestsPerMinute: 1, tokensPerMinute: 50 } }
            keys:
              - id: cfg-key
                tenant: {{tenant}}
                limits: { requestsPerMinute: 3 }
            """;
        var clock = new ManualTimeProvider(T0);
        var (limiter, _) = await LimitsTestKit.CreateAsync(yaml, new InMemoryCounterStore(clock), clock);
        var cfg = new RequestIdentity { Tenant = tenant, KeyId = "cfg-key" };
        for (int i = 0; i < 3; i++) Assert.NotNull((await limiter.ReserveAsync(cfg, new UsageEstimate("m", 10, 0))).Reservation);
        Assert.Equal("rate_limit_rpm_key", (await limiter.ReserveAsync(cfg, new UsageEstimate("m", 10, 0))).Denial!.Code);
        // tpm falls back to the default of 50 for the config key too.
        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal("rate_limit_tpm_key", (await limiter.ReserveAsync(cfg, new UsageEstimate("m", 60, 0))).Denial!.Code);
    }

    [Fact]
    public async Task Stored_key_rpm_and_tpm_apply_per_key()
    {
        var tenant = LimitsTestKit.NewTenant();
        var clock = new ManualTimeProvider(T0);
        var (limiter, keys) = await LimitsTestKit.CreateAsync($"tenants: [ {{ id: {tenant} }} ]", new InMemoryCounterStore(clock), clock);
        await keys.CreateAsync(new Attest.Storage.Keys.StoredKey
        {
            Id = "key_limited", KeyHash = new string('a', 64), DisplayPrefix = "atk_aaaaaa", Tenant = tenant,
            RequestsPerMinute = 2, TokensPerMinute = 100, CreatedAt = T0,
        });
        var id = new RequestIdentity { Tenant = tenant, KeyId = "key_limited" };
        Assert.NotNull((await limiter.ReserveAsync(id, new UsageEstimate("m", 60, 0))).Reservation);
        Assert.Equal("rate_limit_tpm_key", (await limiter.ReserveAsync(id, new UsageEstimate("m", 60, 0))).Denial!.Code);
        Assert.NotNull((await limiter.ReserveAsync(id, new UsageEstimate("m", 40, 0))).Reservation);
        var (_, rpm) = await limiter.ReserveAsync(id, new UsageEstimate("m", 0, 0));
        Assert.Equal("rate_limit_rpm_key", rpm!.Code);
        Assert.Equal(TimeSpan.FromSeconds(30), rpm.RetryAfter);
        // Another key of the same tenant is not affected.
        Assert.NotNull((await limiter.ReserveAsync(id with { KeyId = "key_other" }, new UsageEstimate("m", 60, 0))).Reservation);
    }

    [Fact]
    public async Task Unreachable_redis_denies_with_limits_unavailable()
    {
        var tenant = LimitsTestKit.NewTenant();
        var dead = new RedisCounterStore(new RedisClient("127.0.0.1:1", timeout: TimeSpan.FromMilliseconds(500)));
        var (limiter, _) = await LimitsTestKit.CreateAsync(Budget(tenant, "{ tokensPerDay: 1000 }"), dead, TimeProvider.System);
        var (r, d) = await limiter.ReserveAsync(Id(tenant), new UsageEstimate("m", 1, 0));
        Assert.Null(r);
        Assert.Equal(LimitCodes.Unavailable, d!.Code);
        Assert.Equal(503, LimitCodes.StatusCode(d.Code));
    }

    [RedisFact]
    public async Task Two_limiters_sharing_redis_hold_one_budget_together()
    {
        var tenant = LimitsTestKit.NewTenant();
        var yaml = Budget(tenant, "{ tokensPerDay: 5000 }");
        var (a, _) = await LimitsTestKit.CreateAsync(yaml, LimitsTestKit.Redis(), TimeProvider.System);
        var (b, _) = await LimitsTestKit.CreateAsync(yaml, LimitsTestKit.Redis(), TimeProvider.System);
        var results = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Task.Run(async () =>
            (await (i % 2 == 0 ? a : b).ReserveAsync(Id(tenant), new UsageEstimate("m", 60, 0))).Reservation is not null)));
        Assert.Equal(5000 / 60, results.Count(ok => ok));
    }
}
