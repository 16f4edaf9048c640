using System.Text.Json.Nodes;
using Attest.Core.Config;

namespace Attest.Server.Providers;

/// <summary>One attempt against one provider target. <see cref="Body"/> is an OpenAI-shaped request already carrying the target model.</summary>
/// <param name="ApiKey">The upstream credential resolved from <see cref="ProviderConfig.ApiKey"/>; never the client's key.</param>
public sealed record ProviderCall(ProviderConfig Provider, string Model, JsonObject Body, string? ApiKey);

/// <summary>
/// A provider type (<c>openai</c>, <c>anthropic</c>, <c>offline</c>) speaking OpenAI's chat-completions
/// and embeddings shapes on the gateway side. Implementations throw <see cref="UpstreamException"/> for
/// upstream failures, classifying whether a retry may help. Thread-safe singletons.
/// </summary>
public interface IModelProvider
{
    string Type { get; }
    Task<JsonObject> ChatAsync(ProviderCall call, CancellationToken cancellationToken);
    /// <summary>Streams OpenAI <c>chat.completion.chunk</c> objects; the last one carries usage when the body asked for it.</summary>
    IAsyncEnumerable<JsonObject> ChatStreamAsync(ProviderCall call, CancellationToken cancellationToken);
    Task<JsonObject> EmbedAsync(ProviderCall call, CancellationToken cancellationToken);
}

/// <summary>An upstream failure. <see cref="Retryable"/> is true for connect errors, timeouts, 5xx and 429.</summary>
public sealed class UpstreamException(string message, int? status, bool retryable, TimeSpan? retryAfter = null, Exception? inner = null)
    : Exception(message, inner)
{
    public int? Status { get; } = status;
    public bool Retryable { get; } = retryable;
    public TimeSpan? RetryAfter { get; } = retryAfter;

    public static bool IsRetryableStatus(int status) => status is 429 or 408 or >= 500;
}
