using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Attest.Core.Audit;
using Attest.Core.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace Attest.Server.Gateway;

/// <summary>
/// Writes the gateway's audit events through the registered <see cref="IAuditLog"/> (or
/// <see cref="NullAuditLog"/>). Appends throw on failure so callers fail closed. Thread-safe.
/// </summary>
public sealed class ChatAuditor(IServiceProvider services)
{
    private readonly IAuditLog _log = services.GetService<IAuditLog>() ?? NullAuditLog.Instance;

    /// <summary>False when no audit log is registered: records are then not even built (digests and payload copies cost time on the hot path).</summary>
    public bool Enabled => _log is not NullAuditLog;

    public ValueTask<string> RequestAsync(ChatExchange x, CancellationToken cancellationToken) =>
        !Enabled ? ValueTask.FromResult("") : _log.AppendAsync(RequestRecord(x), cancellationToken);

    /// <summary>The <c>chat.request</c> record as of now (the prompt after redaction, the decision so far).</summary>
    public AuditRecord RequestRecord(ChatExchange x)
    {
        var messages = x.Body["messages"]?.ToJsonString() ?? "[]";
        return Base(AuditEventTypes.ChatRequest, x.Identity, "prompts") with
        {
            Model = Model(x),
            Decision = x.Decision,
            Reasons = [.. x.Reasons],
            InputTokens = x.PromptTokens > 0 ? x.PromptTokens : null,
            Digests = new Dictionary<string, string> { ["prompt"] = Digest(messages) },
            Attributes = Attributes(x),
            Payload = new JsonObject { ["messages"] = x.Body["messages"]?.DeepClone(), ["tools"] = ToolNames(x.Body) },
        };
    }

    public ValueTask<string> ResponseAsync(ChatExchange x, string responseText, double latencyMs, CancellationToken cancellationToken) =>
        !Enabled ? ValueTask.FromResult("") : _log.AppendAsync(ResponseRecord(x, responseText, latencyMs), cancellationToken);

    /// <summary>Appends a <c>chat.request</c> held back at dispatch together with the record that follows it, in one durable commit.</summary>
    public ValueTask<IReadOnlyList<string>> AppendTogetherAsync(AuditRecord request, AuditRecord next, CancellationToken cancellationToken) =>
        _log.AppendManyAsync([request, next], cancellationToken);

    public AuditRecord ResponseRecord(ChatExchange x, string responseText, double latencyMs) =>
        Base(AuditEventTypes.ChatResponse, x.Identity, "responses") with
        {
            Model = Model(x),
            Decision = x.Decision,
            Reasons = [.. x.Reasons],
            InputTokens = x.PromptTokens,
            OutputTokens = x.CompletionTokens,
            LatencyMs = Math.Round(latencyMs, 3),
            Digests = new Dictionary<string, string> { ["response"] = Digest(responseText) },
            Attributes = WithDisclosure(Attributes(x), x),
            Payload = new JsonObject { ["response"] = responseText },
        };

    public ValueTask<string> DeniedAsync(RequestIdentity identity, ChatExchange? x, GatewayError error, string alias, CancellationToken cancellationToken)
    {
        var attributes = x is null ? new Dictionary<string, string>(StringComparer.Ordinal) : Attributes(x);
        attributes["code"] = error.Code;
        attributes["status"] = error.Status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (identity.RequestId is { } rid) attributes["request_id"] = rid;
        if (alias.Length > 0) attributes["model_alias"] = alias;
        return _log.AppendAsync(Base(AuditEventTypes.ChatDenied, identity, "events") with
        {
            Model = x is null ? null : Model(x),
            Decision = error.Code == "guard_blocked" ? "block" : "deny",
            Reasons = x is null ? [error.Code] : [.. x.Reasons.Append(error.Code).Distinct(StringComparer.Ordinal)],
            Attributes = attributes,
        }, cancellationToken);
    }

    public ValueTask<string> AppendAsync(AuditRecord record, CancellationToken cancellationToken) => _log.AppendAsync(record, cancellationToken);

    public static AuditRecord Base(string type, RequestIdentity identity, string dataClass) => new()
    {
        Type = type,
        Tenant = identity.Tenant,
        Actor = new AuditActor { KeyId = identity.KeyId, Principal = identity.Principal, Agent = identity.Agent, EndUser = identity.EndUser },
        Subject = identity.DataSubject,
        DataClass = dataClass,
    };

    /// <summary>Records whether the AI-generated disclosure header went out with this response (evidence for the disclosure control).</summary>
    private static Dictionary<string, string> WithDisclosure(Dictionary<string, string> attributes, ChatExchange x)
    {
        // A buffered answer is recorded before its body is written: disclose now so the record states what the client receives.
        if (!x.Http.Response.HasStarted) ResponseWriter.Disclose(x.Http, x.Provider, x.ModelVersion);
        attributes["ai_disclosure"] = x.Http.Response.Headers[ResponseWriter.GeneratedHeader] == "true" ? "true" : "false";
        return attributes;
    }

    public static string Digest(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private static AuditModel? Model(ChatExchange x)
    {
        var first = x.Model is { Targets.Count: > 0 } m ? m.Targets[0] : null;
        return new(x.Alias, x.ModelVersion ?? first?.Model ?? "", x.Provider ?? first?.Provider ?? "");
    }

    private static Dictionary<string, string> Attributes(ChatExchange x)
    {
        var a = new Dictionary<string, string>(x.Attributes, StringComparer.Ordinal)
        {
            ["stream"] = x.Stream ? "true" : "false",
        };
        if (x.Identity.RequestId is { } rid) a["request_id"] = rid;
        if (x.Attempts > 0) a["attempts"] = x.Attempts.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return a;
    }

    private static JsonArray ToolNames(JsonObject body) =>
        new([.. (body["tools"] as JsonArray ?? []).Select(t => (JsonNode?)(t?["function"]?["name"]?.GetValue<string>()))]);
}
