using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Attest.Server.Limits;

/// <summary>
/// Counters in Redis, shared by every replica. A reservation is one Lua script (EVALSHA, falling back
/// to EVAL when the script cache is empty): it checks every counter and only then increments them all
/// and sets their TTLs, so it is atomic across replicas. Thread-safe.
/// </summary>
public sealed class RedisCounterStore(RedisClient redis) : ICounterStore, IAsyncDisposable
{
    // KEYS[i]: counter; ARGV[3i-2]: amount, ARGV[3i-1]: limit, ARGV[3i]: TTL in ms. Returns 0, or the 1-based counter that refused.
    private const string ReserveScript = """
        for i = 1, #KEYS do
          local cur = tonumber(redis.call('GET', KEYS[i]) or '0')
          if cur + tonumber(ARGV[i*3-2]) > tonumber(ARGV[i*3-1]) then return i end
        end
        for i = 1, #KEYS do
          redis.call('INCRBY', KEYS[i], ARGV[i*3-2])
          redis.call('PEXPIRE', KEYS[i], ARGV[i*3])
        end
        return 0
        """;

    // KEYS[i]: counter; ARGV[2i-1]: signed delta, ARGV[2i]: TTL in ms. An ended window (missing key) is left alone.
    private const string AdjustScript = """
        for i = 1, #KEYS do
          if redis.call('EXISTS', KEYS[i]) == 1 then
            redis.call('INCRBY', KEYS[i], ARGV[i*2-1])
            if redis.call('PTTL', KEYS[i]) < 0 then redis.call('PEXPIRE', KEYS[i], ARGV[i*2]) end
          end
        end
        return 0
        """;

    private static readonly string ReserveSha = Sha1(ReserveScript);
    private static readonly string AdjustSha = Sha1(AdjustScript);

    public RedisClient Client => redis;

    public async ValueTask<int> TryReserveAsync(IReadOnlyList<CounterSpec> counters, CancellationToken cancellationToken = default)
    {
        if (counters.Count == 0) return -1;
        var args = new List<string>(3 + counters.Count * 4) { "", "", counters.Count.ToString(CultureInfo.InvariantCulture) };
        foreach (var c in counters) args.Add(c.Key);
        foreach (var c in counters)
        {
            args.Add(c.Amount.ToString(CultureInfo.InvariantCulture));
            args.Add(c.Limit.ToString(CultureInfo.InvariantCulture));
            args.Add(TtlMs(c.Ttl));
        }
        var reply = await EvalAsync(ReserveSha, ReserveScript, args, cancellationToken);
        return reply is long n ? (int)n - 1 : throw new LimitsUnavailableException("unexpected reply from the reservation script");
    }

    public async ValueTask AdjustAsync(IReadOnlyList<CounterAdjustment> adjustments, CancellationToken cancellationToken = default)
    {
        if (adjustments.Count == 0) return;
        var args = new List<string>(3 + adjustments.Count * 3) { "", "", adjustments.Count.ToString(CultureInfo.InvariantCulture) };
        foreach (var a in adjustments) args.Add(a.Key);
        foreach (var a in adjustments)
        {
            args.Add(a.Delta.ToString(CultureInfo.InvariantCulture));
            args.Add(TtlMs(a.Ttl));
        }
        await EvalAsync(AdjustSha, AdjustScript, args, cancellationToken);
    }

    public async ValueTask<long> ReadAsync(string key, CancellationToken cancellationToken = default)
    {
        try
        {
            var v = await redis.ExecuteAsync(["GET", key], cancellationToken);
            return v is string s ? long.Parse(s, CultureInfo.InvariantCulture) : 0;
        }
        catch (RedisErrorException e) { throw new LimitsUnavailableException($"Redis refused GET: {e.Message}", e); }
    }

    private async Task<object?> EvalAsync(string sha, string script, List<string> args, CancellationToken cancellationToken)
    {
        args[0] = "EVALSHA";
        args[1] = sha;
        try { return await redis.ExecuteAsync(args, cancellationToken); }
        catch (RedisErrorException e) when (e.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
        {
            args[0] = "EVAL";
            args[1] = script;
            try { return await redis.ExecuteAsync(args, cancellationToken); }
            catch (RedisErrorException e2) { throw new LimitsUnavailableException($"Redis refused the limits script: {e2.Message}", e2); }
        }
        catch (RedisErrorException e) { throw new LimitsUnavailableException($"Redis refused the limits script: {e.Message}", e); }
    }

    private static string TtlMs(TimeSpan ttl) => Math.Max(1000L, (long)ttl.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);

#pragma warning disable CA5350 // SHA-1 is what Redis names scripts by (EVALSHA); not used for security.
    private static string Sha1(string s) => Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(s)));
#pragma warning restore CA5350

    public ValueTask DisposeAsync() => redis.DisposeAsync();
}
