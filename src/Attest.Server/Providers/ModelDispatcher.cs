using System.Text.Json.Nodes;
using Attest.Core.Config;
using Attest.Server.Gateway;
using Microsoft.Extensions.Logging;

namespace Attest.Server.Providers;

/// <summary>What answered a dispatched call.</summary>
public sealed record Dispatched<T>(T Value, string Provider, string Model, int Attempts);

/// <summary>
/// The gateway's fixed last step: sends a request to a model alias's targets in order, retrying
/// connect errors, 5xx and 429 with exponential backoff on the same target, moving on after a
/// timeout or after the attempts run out, and skipping targets whose circuit is open. A stream is
/// committed at its first chunk and never retried after it. Thread-safe singleton.
/// </summary>
public sealed partial class ModelDispatcher(IEnumerable<IModelProvider> providers, TargetHealthRegistry health, GatewayOptions options,
    TimeProvider time, ILogger<ModelDispatcher> logger)
{
    private readonly Dictionary<string, IModelProvider> _providers = providers.ToDictionary(p => p.Type, StringComparer.Ordinal);

    public bool Knows(string providerType) => _providers.ContainsKey(providerType);

    public Task<(Dispatched<JsonObject>? Result, GatewayError? Error)> ChatAsync(PolicySnapshot policy, ModelConfig model, JsonObject body, CancellationToken cancellationToken) =>
        RunAsync(policy, model, body, stream: false, static async (p, call, timeout, ct) =>
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            cts.CancelAfter(timeout);
            return await p.ChatAsync(call, cts.Token);
        }, cancellationToken);

    public Task<(Dispatched<JsonObject>? Result, GatewayError? Error)> EmbedAsync(PolicySnapshot policy, ModelConfig model, JsonObject body, CancellationToken cancellationToken) =>
        RunAsync(policy, model, body, stream: false, static async (p, call, timeout, ct) =>
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            cts.CancelAfter(timeout);
            return await p.EmbedAsync(call, cts.Token);
        }, cancellationToken);

    /// <summary>Opens a stream on the first target that produces a first chunk; the rest is read through <see cref="UpstreamStream"/>.</summary>
    public Task<(Dispatched<UpstreamStream>? Result, GatewayError? Error)> StreamAsync(PolicySnapshot policy, ModelConfig model, JsonObject body, CancellationToken cancellationToken) =>
        RunAsync(policy, model, body, stream: true, UpstreamStream.OpenAsync, cancellationToken);

    private async Task<(Dispatched<T>? Result, GatewayError? Error)> RunAsync<T>(PolicySnapshot policy, ModelConfig model, JsonObject body, bool stream,
        Func<IModelProvider, ProviderCall, TimeSpan, CancellationToken, Task<T>> attempt, CancellationToken cancellationToken)
    {
        int attempts = 0;
        var tried = false;
        string lastError = "no targets are configured";
        GatewayError? rejected = null;
        foreach (var target in model.Targets)
        {
            if (!policy.Providers.TryGetValue(target.Provider, out var config) || !_providers.TryGetValue(config.Type, out var provider))
            {
                lastError = $"target provider '{target.Provider}' is not configured";
                continue;
            }
            var targetHealth = health.For(config.Id, target.Model);
            var apiKey = policy.ResolveSecret(config.ApiKey);
            if (config.ApiKey is not null && string.IsNullOrEmpty(apiKey))
            {
                targetHealth.RecordFailure("credential unavailable", retryable: false);
                lastError = $"credential of provider '{config.Id}' is unavailable";
                continue;
            }
            var call = new ProviderCall(config, target.Model, TargetBody(body, target.Model, stream), apiKey);
            var timeout = TimeSpan.FromSeconds(Math.Clamp(config.TimeoutSeconds, 1, 3600));
            for (var i = 0; i < Math.Clamp(options.MaxAttemptsPerTarget, 1, 5); i++)
            {
                if (!targetHealth.TryAcquire())
                {
                    lastError = $"circuit of '{config.Id}/{target.Model}' is open";
                    break;
                }
                tried = true;
                attempts++;
                var started = time.GetTimestamp();
                try
                {
                    var value = await attempt(provider, call, timeout, cancellationToken);
                    targetHealth.RecordSuccess(time.GetElapsedTime(started));
                    return (new Dispatched<T>(value, config.Id, target.Model, attempts), null);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    targetHealth.RecordFailure($"timed out after {timeout.TotalSeconds:0.#} s", retryable: true);
                    lastError = $"'{config.Id}' timed out";
                    LogAttemptFailed(config.Id, target.Model, attempts, "timeout", null);
                    break;
                }
                catch (UpstreamException e)
                {
                    targetHealth.RecordFailure(e.Message, e.Retryable);
                    lastError = $"'{config.Id}' failed ({(e.Status is { } s ? $"HTTP {s}" : "connection")})";
                    LogAttemptFailed(config.Id, target.Model, attempts, e.Retryable ? "retryable" : "rejected", e.Status);
                    if (!e.Retryable)
                    {
                        rejected = e.Status is 400 or 404 or 413 or 422 ? GatewayErrors.UpstreamRejected(e.Status.Value, e.Message) : null;
                        break;
                    }
                    rejected = null;
                    if (i + 1 < options.MaxAttemptsPerTarget) await Task.Delay(Backoff(i, e.RetryAfter), time, cancellationToken);
                }
            }
        }
        if (!tried && model.Targets.Count > 0 && rejected is null && lastError.Contains("circuit", StringComparison.Ordinal))
            return (null, GatewayErrors.AllCircuitsOpen(model.Alias));
        return (null, rejected ?? GatewayErrors.UpstreamUnavailable(lastError));
    }

    private TimeSpan Backoff(int attempt, TimeSpan? retryAfter)
    {
        if (retryAfter is { } after && after > TimeSpan.Zero) return after < options.MaxRetryAfter ? after : options.MaxRetryAfter;
        var jitter = 0.8 + (Random.Shared.NextDouble() * 0.4);
        return options.RetryBackoff * Math.Pow(2, attempt) * jitter;
    }

    private static JsonObject TargetBody(JsonObject body, string model, bool stream)
    {
        var copy = (JsonObject)body.DeepClone();
        copy["model"] = model;
        if (stream)
        {
            copy["stream"] = true;
            // Usage is always requested upstream so limits and audit see real counts; the gateway drops the
            // usage chunk again when the client did not ask for it.
            var so = copy["stream_options"] as JsonObject ?? new JsonObject();
            so["include_usage"] = true;
            copy["stream_options"] = so;
        }
        return copy;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Upstream attempt {Attempt} to {Provider}/{Model} failed: {Kind} (status {Status})")]
    private partial void LogAttemptFailed(string provider, string model, int attempt, string kind, int? status);
}
