using Attest.Core.Time;
using Attest.Server.Limits;

namespace Attest.Server.Tests.Limits;

public class CounterStoreTests
{
    private static readonly DateTimeOffset T0 = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task In_memory_counters_expire_with_their_window_and_are_swept()
    {
        var clock = new ManualTimeProvider(T0);
        var store = new InMemoryCounterStore(clock);
        Assert.Equal(-1, await store.TryReserveAsync([new CounterSpec("a", 5, 10, TimeSpan.FromMinutes(1))]));
        Assert.Equal(0, await store.TryReserveAsync([new CounterSpec("a", 6, 10, TimeSpan.FromMinutes(1))]));
        Assert.Equal(5, await store.ReadAsync("a"));
        clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(0, await store.ReadAsync("a"));
        await store.AdjustAsync([new CounterAdjustment("a", -5, TimeSpan.FromMinutes(1))]); // window over: ignored
        Assert.Equal(-1, await store.TryReserveAsync([new CounterSpec("b", 1, 10, TimeSpan.FromMinutes(1))]));
        Assert.Equal(1, store.Count); // "a" was swept
        Assert.Equal(-1, await store.TryReserveAsync([new CounterSpec("a", 10, 10, TimeSpan.FromMinutes(1))]));
    }

    [Fact]
    public async Task In_memory_refusal_changes_no_counter()
    {
        var store = new InMemoryCounterStore(new ManualTimeProvider(T0));
        var ttl = TimeSpan.FromMinutes(1);
        Assert.Equal(1, await store.TryReserveAsync([new CounterSpec("x", 3, 10, ttl), new CounterSpec("y", 11, 10, ttl)]));
        Assert.Equal(0, await store.ReadAsync("x"));
        Assert.Equal(0, await store.ReadAsync("y"));
    }

    [RedisFact]
    public async Task Redis_reloads_the_script_after_the_script_cache_is_flushed_and_refusal_changes_nothing()
    {
        await using var store = LimitsTestKit.Redis();
        var prefix = "{attest}:test:" + Guid.NewGuid().ToString("n");
        var ttl = TimeSpan.FromMinutes(1);
        Assert.Equal(-1, await store.TryReserveAsync([new CounterSpec(prefix + ":x", 3, 10, ttl)]));
        await store.Client.ExecuteAsync(["SCRIPT", "FLUSH"]);
        Assert.Equal(1, await store.TryReserveAsync([new CounterSpec(prefix + ":x", 3, 10, ttl), new CounterSpec(prefix + ":y", 11, 10, ttl)]));
        Assert.Equal(3, await store.ReadAsync(prefix + ":x"));
        Assert.Equal(0, await store.ReadAsync(prefix + ":y"));
        await store.AdjustAsync([new CounterAdjustment(prefix + ":x", -3, ttl), new CounterAdjustment(prefix + ":gone", 5, ttl)]);
        Assert.Equal(0, await store.ReadAsync(prefix + ":x"));
        Assert.Equal(0, await store.ReadAsync(prefix + ":gone"));
        var pttl = await store.Client.ExecuteAsync(["PTTL", prefix + ":x"]);
        Assert.InRange((long)pttl!, 1, 60_000);
    }

    [Theory]
    [InlineData("127.0.0.1:6380", "127.0.0.1:6380")]
    [InlineData("redis://:secret@cache.internal:6390", "cache.internal:6390")]
    [InlineData("cache", "cache:6379")]
    public void Redis_endpoints_parse_without_showing_the_password(string endpoint, string shown)
    {
        Assert.Equal(shown, new RedisClient(endpoint).Endpoint);
    }

    [Fact]
    public void A_bad_redis_port_is_refused_clearly()
    {
        var e = Assert.Throws<FormatException>(() => new RedisClient("host:notaport"));
        Assert.Contains("host:port", e.Message, StringComparison.Ordinal);
    }
}
