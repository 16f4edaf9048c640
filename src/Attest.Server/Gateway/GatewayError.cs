using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Attest.Server.Gateway;

/// <summary>
/// A refusal or failure the gateway answers with, in OpenAI's error shape
/// <c>{"error":{"message","type","code","param"}}</c>. Every stable code is created in
/// <see cref="GatewayErrors"/>; nothing else writes error bodies.
/// </summary>
public sealed record GatewayError(int Status, string Code, string Type, string Message, string? Param = null, TimeSpan? RetryAfter = null)
{
    /// <summary>The error object as JSON text (also used for SSE error events).</summary>
    public string ToJson()
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteStartObject("error");
            w.WriteString("message", Message);
            w.WriteString("type", Type);
            w.WriteString("code", Code);
            if (Param is null) w.WriteNull("param"); else w.WriteString("param", Param);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>The error as a minimal-API result (for endpoints outside the chat pipeline that resolve callers through <see cref="IdentityResolver"/>).</summary>
    public IResult ToResult() => Results.Text(ToJson(), "application/json", statusCode: Status);

    public async Task WriteAsync(HttpContext http)
    {
        if (http.Response.HasStarted) return;
        http.Response.StatusCode = Status;
        http.Response.ContentType = "application/json";
        if (RetryAfter is { } after)
            http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(after.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        // An unread oversized body cannot be drained; close the connection so the answer is not lost to a reset.
        if (Status == StatusCodes.Status413PayloadTooLarge) http.Response.Headers.Connection = "close";
        await http.Response.WriteAsync(ToJson(), http.RequestAborted);
        if (Status == StatusCodes.Status413PayloadTooLarge) await http.Response.CompleteAsync();
    }
}

/// <summary>The one table of the gateway's error codes (documented in docs/gateway.md).</summary>
public static class GatewayErrors
{
    private const string InvalidRequest = "invalid_request_error";
    private const string Authentication = "authentication_error";
    private const string Permission = "permission_error";

    public static GatewayError InvalidJson(string detail) =>
        new(400, "invalid_json", InvalidRequest, $"The request body is not valid JSON: {detail}");
    public static GatewayError BodyNotObject() =>
        new(400, "invalid_json", InvalidRequest, "The request body must be a JSON object.");
    public static GatewayError MissingParameter(string param) =>
        new(400, "missing_parameter", InvalidRequest, $"Missing required parameter: '{param}'.", param);
    public static GatewayError InvalidParameter(string param, string message) =>
        new(400, "invalid_parameter", InvalidRequest, message, param);
    public static GatewayError RequestTooLarge(long max) =>
        new(413, "request_too_large", InvalidRequest, $"The request body exceeds the maximum of {max} bytes.");
    public static GatewayError UnsupportedMediaType() =>
        new(415, "unsupported_media_type", InvalidRequest, "The request body must be application/json.");
    public static GatewayError ModelNotFound(string model) =>
        new(404, "model_not_found", InvalidRequest, $"The model '{model}' does not exist or is not configured.", "model");
    public static GatewayError WrongModelKind(string model, string kind) =>
        new(400, "invalid_model_kind", InvalidRequest, $"The model '{model}' is not a {kind} model.", "model");
    public static GatewayError ModelNotPinned(string model, string version) =>
        new(403, "model_not_pinned", Permission, $"The model '{model}' resolves to '{version}', which is not a pinned version; policy requires pinned models.", "model");
    public static GatewayError MissingApiKey() =>
        new(401, "missing_api_key", Authentication, "No API key was provided. Send it as 'Authorization: Bearer <key>'.");
    public static GatewayError InvalidApiKey() =>
        new(401, "invalid_api_key", Authentication, "The API key is not valid.");
    public static GatewayError KeyRevoked() =>
        new(401, "key_revoked", Authentication, "The API key has been revoked.");
    public static GatewayError KeyExpired() =>
        new(401, "key_expired", Authentication, "The API key has expired.");
    public static GatewayError InvalidOnBehalfOf(string reason) =>
        new(401, "invalid_obo_token", Authentication, $"The on-behalf-of token was refused: {reason}.");
    public static GatewayError InsufficientScope(string scope) =>
        new(403, "insufficient_scope", Permission, $"The API key lacks the '{scope}' scope.");
    public static GatewayError ModelNotAllowed(string model) =>
        new(403, "model_not_allowed", Permission, $"The API key may not use the model '{model}'.", "model");
    public static GatewayError LimitExceeded(LimitDenial denial) =>
        new(429, denial.Code, "rate_limit_exceeded", denial.Message, null, denial.RetryAfter);
    public static GatewayError UpstreamUnavailable(string detail) =>
        new(502, "upstream_unavailable", "api_error", $"No provider target could answer: {detail}.");
    public static GatewayError AllCircuitsOpen(string model) =>
        new(503, "upstream_unavailable", "api_error", $"Every provider target of '{model}' is temporarily unavailable (circuit open).", null, TimeSpan.FromSeconds(5));
    public static GatewayError UpstreamRejected(int status, string detail) =>
        new(status is >= 400 and < 500 ? status : 502, "upstream_rejected", InvalidRequest, $"The provider refused the request: {detail}");
    public static GatewayError UnsupportedOperation(string detail) =>
        new(400, "unsupported_operation", InvalidRequest, detail);
    public static GatewayError GuardBlocked(bool input, IReadOnlyList<string> reasons) =>
        new(input ? 400 : 403, "guard_blocked", input ? InvalidRequest : Permission,
            (input ? "The request was blocked by policy" : "The response was blocked by policy") +
            (reasons.Count > 0 ? $" ({string.Join(", ", reasons)})." : "."));
    public static GatewayError ToolNotAllowed(string tool, string? reason) =>
        new(403, "tool_not_allowed", Permission, $"The model proposed a call to '{tool}', which policy does not allow{(reason is null ? "" : $": {reason}")}.");
    public static GatewayError RetrievalNotConfigured() =>
        new(400, "retrieval_not_configured", InvalidRequest, "Context retrieval was requested but no retriever is configured.", "attest.retrieve");
    public static GatewayError RetrievalUnavailable() =>
        new(503, "retrieval_unavailable", "api_error", "The request was refused because context retrieval failed.");
    public static GatewayError Internal() =>
        new(500, "internal_error", "api_error", "Attest could not complete the request; nothing was sent upstream after the failure point.");
    public static GatewayError AuditUnavailable() =>
        new(503, "audit_unavailable", "api_error", "The request was refused because the audit record could not be written.");
    public static GatewayError AuthUnavailable() =>
        new(503, "auth_unavailable", "api_error", "Key authentication is unavailable; the request was refused.");
    public static GatewayError PolicyUnavailable() =>
        new(503, "policy_unavailable", "api_error", "The request was refused because a policy check failed.");
}
