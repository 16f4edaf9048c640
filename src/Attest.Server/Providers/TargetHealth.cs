using System.Collections.Concurrent;

namespace Attest.Server.Providers;

public enum CircuitState { Closed, Open, HalfOpen }

/// <summary>
/// Availability, latency and circuit state of one provider target (<c>provider/model</c>).
/// Closed → Open after <see cref="GatewayOptions.CircuitFailureThreshold"/> consecutive retryable
/// failures; after <see cref="GatewayOptions.CircuitBreakDuration"/> one probe is let through
/// (half-open) and its outcome closes or re-opens the circuit. Thread-safe.
/// </summary>
public sealed class TargetHealth(string provider, string model, GatewayOptions options, TimeProvider time)
{
    private const int LatencyWindow = 128;
    private readonly Lock _gate = new();
    private readonly double[] _latencies = new double[LatencyWindow];
    private int _latencyCount, _latencyNext, _consecutiveFailures;
    private long _requests, _failures;
    private DateTimeOffset _openedAt;
    private bool _probeInFlight;

    public string Provider { get; } = provider;
    public string Model { get; } = model;
    public CircuitState State { get; private set; } = CircuitState.Closed;
    public string? LastError { get; private set; }

    /// <summary>True when a request may be sent now (claims the half-open probe when due).</summary>
    public bool TryAcquire()
    {
        lock (_gate)
        {
            if (State == CircuitState.Closed) return true;
            if (State == CircuitState.Open && time.GetUtcNow() - _openedAt >= options.CircuitBreakDuration)
            {
                State = CircuitState.HalfOpen;
                _probeInFlight = false;
            }
            if (State != CircuitState.HalfOpen || _probeInFlight) return false;
            _probeInFlight = true;
            return true;
        }
    }

    public void RecordSuccess(TimeSpan latency)
    {
        lock (_gate)
        {
            _requests++;
            _consecutiveFailures = 0;
            State = CircuitState.Closed;
            _probeInFlight = false;
            _latencies[_latencyNext] = latency.TotalMilliseconds;
            _latencyNext = (_latencyNext + 1) % LatencyWindow;
            _latencyCount = Math.Min(_latencyCount + 1, LatencyWindow);
        }
    }

    /// <summary>Records a failure; only retryable ones (connect, timeout, 5xx, 429) count toward opening the circuit.</summary>
    public void RecordFailure(string error, bool retryable)
    {
        lock (_gate)
        {
            _requests++;
            _failures++;
            LastError = error;
            _probeInFlight = false;
            if (!retryable) return;
            _consecutiveFailures++;
            if (State == CircuitState.HalfOpen || _consecutiveFailures >= options.CircuitFailureThreshold)
            {
                State = CircuitState.Open;
                _openedAt = time.GetUtcNow();
            }
        }
    }

    public TargetHealthView Snapshot()
    {
        lock (_gate)
        {
            var sorted = _latencies.AsSpan(0, _latencyCount).ToArray();
            Array.Sort(sorted);
            double? P(double q) => sorted.Length == 0 ? null : Math.Round(sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))], 2);
            var state = State == CircuitState.Open && time.GetUtcNow() - _openedAt >= options.CircuitBreakDuration ? CircuitState.HalfOpen : State;
            return new TargetHealthView(Provider, Model, state.ToString().ToLowerInvariant(), state != CircuitState.Open,
                _requests, _failures, _consecutiveFailures, P(0.5), P(0.99), LastError);
        }
    }
}

public sealed record TargetHealthView(string Provider, string Model, string Circuit, bool Available, long Requests, long Failures,
    int ConsecutiveFailures, double? LatencyP50Ms, double? LatencyP99Ms, string? LastError);

/// <summary>One <see cref="TargetHealth"/> per provider target, created on first use. Thread-safe.</summary>
public sealed class TargetHealthRegistry(GatewayOptions options, TimeProvider time)
{
    private readonly ConcurrentDictionary<(string, string), TargetHealth> _targets = new();

    public TargetHealth For(string provider, string model) =>
        _targets.GetOrAdd((provider, model), k => new TargetHealth(k.Item1, k.Item2, options, time));
}
