using System.Text.Json.Nodes;
using Attest.Core.Config;
using Attest.Core.Identity;
using Microsoft.AspNetCore.Http;

namespace Attest.Server.Gateway;

/// <summary>One chat completion on its way through the stages. Not thread-safe: owned by one request.</summary>
public sealed class ChatExchange
{
    public required HttpContext Http { get; init; }
    public required PolicySnapshot Policy { get; init; }
    public required RequestIdentity Identity { get; init; }
    public required VirtualKey Key { get; init; }
    /// <summary>The body as received (minus Attest's extension field), forwarded with only <c>model</c> replaced.</summary>
    public required JsonObject Body { get; init; }
    public required string Alias { get; init; }
    public required bool Stream { get; init; }
    /// <summary>True when the client asked for the usage chunk (<c>stream_options.include_usage</c>).</summary>
    public bool ClientWantsUsage { get; init; }
    /// <summary>Attest's extension object (<c>"attest": {...}</c>), removed from <see cref="Body"/>.</summary>
    public JsonObject? Extension { get; init; }
    public ModelConfig? Model { get; set; }

    /// <summary>Filled by dispatch: what actually answered.</summary>
    public string? Provider { get; set; }
    public string? ModelVersion { get; set; }
    public int PromptTokens { get; set; }
    public int CompletionTokens { get; set; }
    public int Attempts { get; set; }
    /// <summary>Worst guard action seen (allow, flag, redact) and the reasons behind it, for audit.</summary>
    public string Decision { get; set; } = "allow";
    public List<string> Reasons { get; } = [];
    public Dictionary<string, string> Attributes { get; } = new(StringComparer.Ordinal);
    /// <summary>Messages Attest added (retrieved context); they were guarded at retrieval and are not re-checked as input.</summary>
    public HashSet<JsonNode> InjectedMessages { get; } = new(ReferenceEqualityComparer.Instance);
    /// <summary>
    /// Set by the audit stage: appends <c>chat.request</c> (after redaction). Dispatch calls it right before sending
    /// upstream and does not wait: the returned task completes when the event is durable and faults when it cannot be.
    /// </summary>
    public Func<CancellationToken, Task>? BeforeDispatch { get; set; }
    /// <summary>The <c>chat.request</c> append started by dispatch (null until then). Nothing is released to the client before it completes.</summary>
    public Task? RequestRecorded { get; set; }
    /// <summary>The held-back <c>chat.request</c> when the exchange coalesces its two audit commits (non-streaming, <c>audit.coalesceMs</c> &gt; 0).</summary>
    internal DeferredRequest? Deferred { get; set; }
    /// <summary>Text of the answer as the caller received it, collected for the response audit record.</summary>
    public System.Text.StringBuilder ResponseText { get; } = new();
    /// <summary>True when the guard stage collects <see cref="ResponseText"/> (after redaction, before pseudonyms are restored).</summary>
    public bool GuardsCollectResponse { get; set; }

    public void RaiseDecision(string decision)
    {
        static int Rank(string d) => d switch { "flag" => 1, "redact" => 2, "block" => 3, _ => 0 };
        if (Rank(decision) > Rank(Decision)) Decision = decision;
    }
}

/// <summary>One item of a streamed answer: an OpenAI chunk, or an error that ends the stream.</summary>
public readonly record struct ChatStreamItem(JsonObject? Chunk, GatewayError? Error)
{
    public static ChatStreamItem Of(JsonObject chunk) => new(chunk, null);
    public static ChatStreamItem Fail(GatewayError error) => new(null, error);
}

/// <summary>The result of the stage pipeline: a completion, a stream, or a refusal (a value, not an exception).</summary>
public sealed record ChatOutcome
{
    public JsonObject? Completion { get; init; }
    public IAsyncEnumerable<ChatStreamItem>? Stream { get; init; }
    public GatewayError? Error { get; init; }

    public static ChatOutcome Completed(JsonObject completion) => new() { Completion = completion };
    public static ChatOutcome Streaming(IAsyncEnumerable<ChatStreamItem> stream) => new() { Stream = stream };
    public static ChatOutcome Denied(GatewayError error) => new() { Error = error };
}

public delegate ValueTask<ChatOutcome> ChatNext(ChatExchange exchange, CancellationToken cancellationToken);

/// <summary>
/// A configurable stage of the chat pipeline. Stages run in <see cref="Order"/> (lowest is
/// outermost); each may refuse, transform the request, or wrap the outcome. Thread-safe singletons.
/// </summary>
public interface IChatStage
{
    int Order { get; }
    ValueTask<ChatOutcome> InvokeAsync(ChatExchange exchange, ChatNext next, CancellationToken cancellationToken);
}
