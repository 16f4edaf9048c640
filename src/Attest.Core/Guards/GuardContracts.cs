using Attest.Core.Identity;

namespace Attest.Core.Guards;

/// <summary>Where content is in the flow; policy differs per direction.</summary>
public enum GuardDirection { Input, Retrieved, ToolArguments, ToolResult, Output }

/// <summary>What the policy does with a finding. Ordered: a higher value wins.</summary>
public enum GuardAction { Allow = 0, Flag = 1, Redact = 2, Block = 3 }

/// <summary>One detection: a typed span with a score and the rule that found it.</summary>
/// <param name="Type">Finding type, e.g. <c>pii.email</c>, <c>secret.aws_access_key</c>, <c>injection</c>, <c>canary</c>.</param>
/// <param name="Start">Start offset in the scanned text.</param>
/// <param name="Length">Length of the span.</param>
/// <param name="Score">Confidence 0–1.</param>
/// <param name="RuleId">Stable id of the rule or recognizer.</param>
public readonly record struct GuardFinding(string Type, int Start, int Length, double Score, string RuleId);

/// <summary>The outcome of running the guard pipeline on one text: a value, never an exception.</summary>
public sealed record GuardVerdict
{
    public required GuardAction Action { get; init; }
    public IReadOnlyList<GuardFinding> Findings { get; init; } = [];
    /// <summary>The text to forward (redacted when <see cref="Action"/> is <see cref="GuardAction.Redact"/>).</summary>
    public required string Text { get; init; }
    /// <summary>Policy and rule ids behind the action.</summary>
    public IReadOnlyList<string> Reasons { get; init; } = [];
    /// <summary>True when a guard or the policy failed and the verdict is a fail-closed block.</summary>
    public bool Faulted { get; init; }

    public static GuardVerdict Allowed(string text) => new() { Action = GuardAction.Allow, Text = text };
}

/// <summary>Everything a guard needs to know about where the text comes from.</summary>
public sealed record GuardContext
{
    public required GuardDirection Direction { get; init; }
    public required RequestIdentity Identity { get; init; }
    /// <summary>Conversation id, scoping reversible pseudonyms.</summary>
    public string? ConversationId { get; init; }
    /// <summary>Data classification of the content (retrieved documents).</summary>
    public string? Classification { get; init; }
    /// <summary>Tool name, for tool arguments and results.</summary>
    public string? Tool { get; init; }
    /// <summary>The route: the model alias a chat request is sent to (selects <c>guards[].models</c> policies). Null outside the chat gateway.</summary>
    public string? Model { get; init; }
}

/// <summary>
/// The guard pipeline as the gateway, retrieval and the tool gate see it. Implementations never
/// throw for a guard fault: they return a <see cref="GuardVerdict"/> with <see cref="GuardVerdict.Faulted"/>
/// and <see cref="GuardAction.Block"/> (fail closed). Thread-safe.
/// </summary>
public interface IGuardPipeline
{
    ValueTask<GuardVerdict> EvaluateAsync(string text, GuardContext context, CancellationToken cancellationToken = default);

    /// <summary>Starts a streaming scan for one response; feed it chunks as they arrive.</summary>
    IStreamingGuardSession BeginStream(GuardContext context);

    /// <summary>Restores reversible pseudonyms in text for the authorised caller of this conversation.</summary>
    string Restore(string text, GuardContext context);
}

/// <summary>A sliding-window scan over a streamed response. Not thread-safe: one per stream.</summary>
public interface IStreamingGuardSession
{
    /// <summary>Feeds a chunk; returns the text that is safe to release now (may lag the input by the window), or a block verdict.</summary>
    GuardStreamStep Push(string chunk);
    /// <summary>Flushes the remaining window at the end of the stream.</summary>
    GuardStreamStep Complete();
}

/// <summary>One step of a streaming scan.</summary>
/// <param name="Release">Text safe to send to the caller now (redacted, pseudonyms restored for the caller).</param>
/// <param name="Block">The block verdict that ended the session, or null.</param>
/// <param name="Findings">Findings first seen in this step.</param>
public sealed record GuardStreamStep(string Release, GuardVerdict? Block, IReadOnlyList<GuardFinding> Findings)
{
    /// <summary>The same text with pseudonyms left as placeholders (what an audit record may hold); null means identical to <see cref="Release"/>.</summary>
    public string? Redacted { get; init; }
}
