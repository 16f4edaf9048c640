using Attest.Core.Config;
using Attest.Server.Keys;
using Attest.Server.Limits;
using Attest.Storage;
using Attest.Storage.Keys;
using Microsoft.Extensions.Logging.Abstractions;

namespace Attest.Server.Tests.Limits;

/// <summary>Builds limiters over a config text, a counter store and a clock, with a throwaway SQLite key store.</summary>
internal static class LimitsTestKit
{
    public static string? RedisEndpoint => Environment.GetEnvironmentVariable("ATTEST_TEST_REDIS");

    public static string NewTenant() => "t" + Guid.NewGuid().ToString("n")[..12];

    public static async Task<(UsageLimiter Limiter, KeyStore Keys)> CreateAsync(string yaml, ICounterStore store, TimeProvider time)
    {
        var policy = new StaticPolicySource(ConfigLoader.FromText(yaml));
        var db = new SqliteDatabase(Path.Combine(Path.GetTempPath(), "attest-tests", Guid.NewGuid().ToString("n"), "attest.db"));
        await MigrationRunner.ApplyAsync(db);
        var keyStore = new KeyStore(db);
        var pepper = new KeyPepper(new byte[32]);
        var directory = new KeyDirectory(keyStore, new ConfigKeys(pepper, policy));
        return (new UsageLimiter(store, policy, directory, time, NullLogger<UsageLimiter>.Instance), keyStore);
    }

    public static RedisCounterStore Redis() =>
        new(new RedisClient(RedisEndpoint ?? throw new InvalidOperationException("ATTEST_TEST_REDIS is not set"), maxConnections: 64));
}

/// <summary>Runs a Redis test only when a server is configured (eng/test.sh always provides one; with CI it is required).</summary>
public sealed class RedisFactAttribute : FactAttribute
{
    public RedisFactAttribute()
    {
        if (LimitsTestKit.RedisEndpoint is null && Environment.GetEnvironmentVariable("ATTEST_REQUIRE_SERVERS") != "1")
            Skip = "ATTEST_TEST_REDIS is not set";
    }
}
