using System.Text.Json.Nodes;
using Attest.Core.Config;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Attest.Server.Gateway;

/// <summary><c>POST /v1/chat/completions</c>: identity, body checks, then the stage pipeline; every refusal after authentication is audited.</summary>
internal sealed partial class ChatEndpoint(IdentityResolver identity, ChatPipeline pipeline, ChatAuditor auditor, IPolicySource policy, ILogger<ChatEndpoint> logger)
{
    public async Task HandleAsync(HttpContext http)
    {
        var snapshot = policy.Current;
        var (feature, authError) = await identity.AuthenticateAsync(http, "chat");
        if (feature is null)
        {
            LogRefused(authError!.Code, authError.Status);
            await authError.WriteAsync(http);
            return;
        }
        if (authError is not null) { await DenyAsync(http, feature, authError, ""); return; }
        var (body, bodyError) = await RequestBody.ReadAsync(http, snapshot.Config.Server.MaxRequestBodyBytes);
        if (bodyError is not null) { await DenyAsync(http, feature, bodyError, ""); return; }
        var userError = await identity.ResolveEndUserAsync(http, feature, body);
        var alias = body!["model"] is JsonValue mv && mv.TryGetValue<string>(out var m) ? m : "";
        var problem = userError ?? Validate(body);
        if (problem is not null) { await DenyAsync(http, feature, problem, alias); return; }

        var extension = body["attest"] as JsonObject;
        body.Remove("attest");
        var stream = body["stream"] is JsonValue sv && sv.TryGetValue<bool>(out var s) && s;
        var exchange = new ChatExchange
        {
            Http = http,
            Policy = snapshot,
            Identity = feature.Identity,
            Key = feature.Key,
            Body = body,
            Alias = alias,
            Stream = stream,
            ClientWantsUsage = body["stream_options"]?["include_usage"] is JsonValue u && u.TryGetValue<bool>(out var wants) && wants,
            Extension = extension,
        };
        var outcome = await pipeline.RunAsync(exchange, http.RequestAborted);
        if (outcome.Error is { } error)
        {
            LogRefused(error.Code, error.Status);
            await error.WriteAsync(http);
            return;
        }
        ResponseWriter.Disclose(http, exchange.Provider, exchange.ModelVersion);
        if (outcome.Completion is { } completion) await ResponseWriter.JsonAsync(http, completion);
        else await ResponseWriter.StreamAsync(http, outcome.Stream!);
    }

    internal static GatewayError? Validate(JsonObject body)
    {
        if (body["model"] is null) return GatewayErrors.MissingParameter("model");
        if (body["model"] is not JsonValue mv || !mv.TryGetValue<string>(out var model) || model.Length == 0)
            return GatewayErrors.InvalidParameter("model", "'model' must be a non-empty string.");
        if (body["messages"] is null) return GatewayErrors.MissingParameter("messages");
        if (body["messages"] is not JsonArray messages || messages.Count == 0)
            return GatewayErrors.InvalidParameter("messages", "'messages' must be a non-empty array.");
        for (var i = 0; i < messages.Count; i++)
            if (messages[i] is not JsonObject msg || msg["role"] is not JsonValue role || !role.TryGetValue<string>(out _))
                return GatewayErrors.InvalidParameter($"messages[{i}]", $"'messages[{i}]' must be an object with a string 'role'.");
        if (body["stream"] is { } st && (st is not JsonValue sv || !sv.TryGetValue<bool>(out _)))
            return GatewayErrors.InvalidParameter("stream", "'stream' must be a boolean.");
        foreach (var p in (string[])["max_tokens", "max_completion_tokens"])
            if (body[p] is { } n && (n is not JsonValue nv || !nv.TryGetValue<int>(out var v) || v < 1))
                return GatewayErrors.InvalidParameter(p, $"'{p}' must be a positive integer.");
        if (body["tools"] is { } tools && (tools is not JsonArray toolList || toolList.Any(t => t is not JsonObject)))
            return GatewayErrors.InvalidParameter("tools", "'tools' must be an array of objects.");
        if (body["tool_choice"] is { } choice && choice is not JsonObject && (choice is not JsonValue cv || !cv.TryGetValue<string>(out _)))
            return GatewayErrors.InvalidParameter("tool_choice", "'tool_choice' must be a string or an object.");
        foreach (var p in (string[])["stream_options", "response_format"])
            if (body[p] is { } o && o is not JsonObject)
                return GatewayErrors.InvalidParameter(p, $"'{p}' must be an object.");
        if (body["attest"] is { } ext && ext is not JsonObject)
            return GatewayErrors.InvalidParameter("attest", "'attest' must be an object.");
        return null;
    }

    private async Task DenyAsync(HttpContext http, GatewayRequestFeature feature, GatewayError error, string alias)
    {
        LogRefused(error.Code, error.Status);
        try
        {
            await auditor.DeniedAsync(feature.Identity, null, error, alias, http.RequestAborted);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogAuditFailed(e.GetType().Name);
            error = GatewayErrors.AuditUnavailable();
        }
        await error.WriteAsync(http);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Chat request refused: {Code} ({Status})")]
    private partial void LogRefused(string code, int status);

    [LoggerMessage(Level = LogLevel.Error, Message = "Audit append failed for a refusal ({ExceptionType}); answering audit_unavailable")]
    private partial void LogAuditFailed(string exceptionType);
}
