namespace Attest.Server.Providers;

/// <summary>Fallback, retry and circuit-breaker settings of the gateway. Register a changed instance in DI to override.</summary>
public sealed class GatewayOptions
{
    /// <summary>Attempts on one target before moving to the next (timeouts move on at once). Default 2; range 1–5.</summary>
    public int MaxAttemptsPerTarget { get; init; } = 2;
    /// <summary>Base of the exponential backoff between attempts, with ±20% jitter. Default 100 ms.</summary>
    public TimeSpan RetryBackoff { get; init; } = TimeSpan.FromMilliseconds(100);
    /// <summary>Longest <c>Retry-After</c> from an upstream 429 honoured before retrying. Default 2 s.</summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromSeconds(2);
    /// <summary>Consecutive retryable failures that open a target's circuit. Default 5.</summary>
    public int CircuitFailureThreshold { get; init; } = 5;
    /// <summary>How long an open circuit refuses traffic before one probe is let through. Default 30 s.</summary>
    public TimeSpan CircuitBreakDuration { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>Output tokens reserved against limits when the request sets no <c>max_tokens</c>. Default 512.</summary>
    public int DefaultOutputTokenEstimate { get; init; } = 512;
    /// <summary>Chunks retrieved when <c>attest.retrieve</c> gives no <c>top_k</c>. Default 4; range 1–50.</summary>
    public int DefaultRetrieveTopK { get; init; } = 4;
}
