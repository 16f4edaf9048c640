namespace Attest.Server.Limits;

/// <summary>One counter touched by a reservation: add <see cref="Amount"/> unless the total would pass <see cref="Limit"/>.</summary>
/// <param name="Key">Counter name, unique per scope, metric and window.</param>
/// <param name="Ttl">How long the counter must live (to the end of its window, plus slack).</param>
public readonly record struct CounterSpec(string Key, long Amount, long Limit, TimeSpan Ttl);

/// <summary>A signed change to a counter (reconcile or release).</summary>
public readonly record struct CounterAdjustment(string Key, long Delta, TimeSpan Ttl);

/// <summary>
/// Where limit counters live: in this process, or in Redis shared by every replica. Implementations
/// apply a reservation to all counters or to none, atomically. Thread-safe.
/// </summary>
public interface ICounterStore
{
    /// <summary>Adds every amount when every counter stays within its limit; otherwise changes nothing and returns the index of the first counter that would pass its limit. Returns -1 on success.</summary>
    /// <exception cref="LimitsUnavailableException">The shared store cannot be reached.</exception>
    ValueTask<int> TryReserveAsync(IReadOnlyList<CounterSpec> counters, CancellationToken cancellationToken = default);

    /// <summary>Applies signed changes (no limit check).</summary>
    /// <exception cref="LimitsUnavailableException">The shared store cannot be reached.</exception>
    ValueTask AdjustAsync(IReadOnlyList<CounterAdjustment> adjustments, CancellationToken cancellationToken = default);

    /// <summary>Current value of a counter (0 when absent), for tests and diagnostics.</summary>
    ValueTask<long> ReadAsync(string key, CancellationToken cancellationToken = default);
}

/// <summary>The counter store cannot be reached; requests are denied (fail closed) with <c>limits_unavailable</c>.</summary>
public sealed class LimitsUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
