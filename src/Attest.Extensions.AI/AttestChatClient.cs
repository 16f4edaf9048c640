using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Attest.Core.Audit;
using Attest.Core.Guards;
using Attest.Core.Identity;
using Microsoft.Extensions.AI;

namespace Attest.Extensions.AI;

/// <summary>
/// Microsoft.Extensions.AI middleware applying Attest's policy to an in-process <see cref="IChatClient"/>:
/// input text is guarded (redacted or refused) before the inner client sees it, the answer and each
/// streamed chunk are guarded after, pseudonyms are restored for the caller, proposed tool calls are
/// checked (removed or refused), and every call is audited — the audit append failing refuses the call
/// (fail closed). Refusals throw <see cref="AttestPolicyException"/>. Thread-safe when the inner client is.
/// </summary>
public sealed class AttestChatClient(IChatClient innerClient, AttestChatClientOptions options) : DelegatingChatClient(innerClient)
{
    private readonly AttestChatClientOptions _settings = options;

    /// <inheritdoc />
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var identity = _settings.Identity();
        var started = _settings.Time.GetTimestamp();
        var input = await GuardInputAsync(identity, messages, cancellationToken);
        var response = await base.GetResponseAsync(input, options, cancellationToken);
        var context = Context(identity, GuardDirection.Output);
        foreach (var message in response.Messages)
        {
            for (var i = 0; i < message.Contents.Count; i++)
            {
                if (message.Contents[i] is TextContent text)
                {
                    var verdict = await Evaluate(identity, text.Text, context, cancellationToken);
                    message.Contents[i] = new TextContent(_settings.Guards?.Restore(verdict, context) ?? verdict);
                }
                else if (message.Contents[i] is FunctionCallContent call && !await AllowCallAsync(identity, call, cancellationToken))
                {
                    message.Contents.RemoveAt(i--);
                }
            }
        }
        await AuditAsync(identity, AuditEventTypes.ChatResponse, "allow", response.Text, response.Usage, started, cancellationToken);
        return response;
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var identity = _settings.Identity();
        var started = _settings.Time.GetTimestamp();
        var input = await GuardInputAsync(identity, messages, cancellationToken);
        var context = Context(identity, GuardDirection.Output);
        var session = _settings.Guards?.BeginStream(context);
        var text = new StringBuilder();
        UsageDetails? usage = null;
        await foreach (var update in base.GetStreamingResponseAsync(input, options, cancellationToken))
        {
            for (var i = 0; i < update.Contents.Count; i++)
            {
                switch (update.Contents[i])
                {
                    case TextContent t when session is not null:
                        var step = session.Push(t.Text);
                        if (step.Block is { } block) await DenyAsync(identity, "guard_blocked", $"The response was blocked by policy ({string.Join(", ", block.Reasons)}).", cancellationToken);
                        text.Append(step.Release);
                        update.Contents[i] = new TextContent(_settings.Guards!.Restore(step.Release, context));
                        break;
                    case TextContent t:
                        text.Append(t.Text);
                        break;
                    case FunctionCallContent call when !await AllowCallAsync(identity, call, cancellationToken):
                        update.Contents.RemoveAt(i--);
                        break;
                    case UsageContent u:
                        usage = u.Details;
                        break;
                }
            }
            yield return update;
        }
        if (session?.Complete() is { } last)
        {
            if (last.Block is { } block) await DenyAsync(identity, "guard_blocked", $"The response was blocked by policy ({string.Join(", ", block.Reasons)}).", cancellationToken);
            if (last.Release.Length > 0)
            {
                text.Append(last.Release);
                yield return new ChatResponseUpdate(ChatRole.Assistant, _settings.Guards!.Restore(last.Release, context));
            }
        }
        await AuditAsync(identity, AuditEventTypes.ChatResponse, "allow", text.ToString(), usage, started, cancellationToken);
    }

    private async Task<List<ChatMessage>> GuardInputAsync(RequestIdentity identity, IEnumerable<ChatMessage> messages, CancellationToken cancellationToken)
    {
        var result = new List<ChatMessage>();
        foreach (var message in messages)
        {
            if (_settings.Guards is null || !message.Contents.OfType<TextContent>().Any()) { result.Add(message); continue; }
            var context = Context(identity, message.Role == ChatRole.Tool ? GuardDirection.ToolResult : GuardDirection.Input);
            var clone = message.Clone();
            clone.Contents = [.. message.Contents];
            for (var i = 0; i < clone.Contents.Count; i++)
                if (clone.Contents[i] is TextContent text)
                    clone.Contents[i] = new TextContent(await Evaluate(identity, text.Text, context, cancellationToken));
            result.Add(clone);
        }
        var prompt = JsonSerializer.Serialize(result.Select(m => new { role = m.Role.Value, text = m.Text }));
        await AppendAsync(Record(identity, AuditEventTypes.ChatRequest, "prompts") with
        {
            Decision = "allow",
            Digests = new Dictionary<string, string> { ["prompt"] = Digest(prompt) },
            Payload = JsonNode.Parse(prompt),
        }, cancellationToken);
        return result;
    }

    /// <summary>Returns the text to use (redacted when policy says so), or throws when blocked.</summary>
    private async Task<string> Evaluate(RequestIdentity identity, string text, GuardContext context, CancellationToken cancellationToken)
    {
        if (_settings.Guards is null) return text;
        var verdict = await _settings.Guards.EvaluateAsync(text, context, cancellationToken);
        if (verdict.Action == GuardAction.Block)
            await DenyAsync(identity, "guard_blocked", $"The {(context.Direction == GuardDirection.Output ? "response" : "request")} was blocked by policy ({string.Join(", ", verdict.Reasons)}).", cancellationToken);
        return verdict.Action == GuardAction.Redact ? verdict.Text : text;
    }

    private async Task<bool> AllowCallAsync(RequestIdentity identity, FunctionCallContent call, CancellationToken cancellationToken)
    {
        if (_settings.ToolPolicy is null) return true;
        var verdict = _settings.ToolPolicy.CheckProposed(identity, call.Name, JsonSerializer.Serialize(call.Arguments));
        if (verdict.Allowed) return true;
        if (_settings.ToolPolicy.OnDisallowed(identity) == "block")
            await DenyAsync(identity, "tool_not_allowed", $"The model proposed a call to '{call.Name}', which policy does not allow.", cancellationToken);
        return false;
    }

    private async Task DenyAsync(RequestIdentity identity, string code, string message, CancellationToken cancellationToken)
    {
        await AppendAsync(Record(identity, AuditEventTypes.ChatDenied, "events") with
        {
            Decision = code == "guard_blocked" ? "block" : "deny",
            Reasons = [code],
        }, cancellationToken);
        throw new AttestPolicyException(code, message);
    }

    private Task AuditAsync(RequestIdentity identity, string type, string decision, string text, UsageDetails? usage, long started, CancellationToken cancellationToken) =>
        AppendAsync(Record(identity, type, "responses") with
        {
            Decision = decision,
            InputTokens = (int?)usage?.InputTokenCount,
            OutputTokens = (int?)usage?.OutputTokenCount,
            LatencyMs = Math.Round(_settings.Time.GetElapsedTime(started).TotalMilliseconds, 3),
            Digests = new Dictionary<string, string> { ["response"] = Digest(text) },
            Payload = new JsonObject { ["response"] = text },
        }, cancellationToken);

    private async Task AppendAsync(AuditRecord record, CancellationToken cancellationToken)
    {
        try
        {
            await _settings.Audit.AppendAsync(record, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new AttestPolicyException("audit_unavailable", "The call was refused because the audit record could not be written.", e);
        }
    }

    private AuditRecord Record(RequestIdentity identity, string type, string dataClass) => new()
    {
        Type = type,
        Tenant = identity.Tenant,
        Actor = new AuditActor { KeyId = identity.KeyId, Principal = identity.Principal, Agent = identity.Agent, EndUser = identity.EndUser },
        Subject = identity.DataSubject,
        DataClass = dataClass,
        Model = new AuditModel(_settings.ModelAlias, _settings.ModelAlias, _settings.Provider),
        Attributes = new Dictionary<string, string> { ["in_process"] = "true" },
    };

    private static GuardContext Context(RequestIdentity identity, GuardDirection direction) =>
        new() { Direction = direction, Identity = identity, ConversationId = identity.RequestId };

    private static string Digest(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}

/// <summary>
/// Composition helpers in the Microsoft.Extensions.AI style. <c>ChatClientBuilder</c> lives in the
/// Microsoft.Extensions.AI implementation package, which is not available here, so the middleware is
/// applied with <see cref="WithAttest"/> on any <see cref="IChatClient"/> instead of <c>builder.UseAttest()</c>.
/// </summary>
public static class AttestChatClientExtensions
{
    /// <summary>Wraps <paramref name="client"/> in an <see cref="AttestChatClient"/> enforcing <paramref name="options"/>.</summary>
    public static IChatClient WithAttest(this IChatClient client, AttestChatClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        return new AttestChatClient(client, options);
    }
}
