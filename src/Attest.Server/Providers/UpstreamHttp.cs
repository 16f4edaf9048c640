using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Attest.Server.Providers;

/// <summary>Shared plumbing for HTTP providers: the pooled client, sending, and turning failures into <see cref="UpstreamException"/>.</summary>
internal static partial class UpstreamHttp
{
    public const string ClientName = "attest-upstream";

    public static HttpContent Json(JsonNode body)
    {
        var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    /// <summary>Sends and returns a successful response, or throws a classified <see cref="UpstreamException"/>.</summary>
    public static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpRequestMessage request, string? apiKey, bool stream, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(request, stream ? HttpCompletionOption.ResponseHeadersRead : HttpCompletionOption.ResponseContentRead, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new UpstreamException($"connection failed ({e.HttpRequestError})", null, retryable: true, inner: e);
        }
        if (response.IsSuccessStatusCode) return response;
        using (response)
        {
            var status = (int)response.StatusCode;
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            var message = Scrub(ErrorMessage(text) ?? response.ReasonPhrase ?? "error", apiKey);
            TimeSpan? retryAfter = response.Headers.RetryAfter?.Delta ??
                (response.Headers.TryGetValues("retry-after", out var v) && double.TryParse(v.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var s) ? TimeSpan.FromSeconds(s) : null);
            throw new UpstreamException($"HTTP {status}: {message}", status, UpstreamException.IsRetryableStatus(status) || response.StatusCode == HttpStatusCode.RequestTimeout, retryAfter);
        }
    }

    public static async Task<JsonObject> ReadObjectAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            await using var s = await response.Content.ReadAsStreamAsync(cancellationToken);
            return await JsonNode.ParseAsync(s, cancellationToken: cancellationToken) as JsonObject
                ?? throw new UpstreamException("the provider answered with a non-object body", (int)response.StatusCode, retryable: true);
        }
        catch (JsonException e)
        {
            throw new UpstreamException("the provider answered with invalid JSON", (int)response.StatusCode, retryable: true, inner: e);
        }
    }

    public static JsonObject ParseObject(string data)
    {
        try
        {
            return JsonNode.Parse(data) as JsonObject ?? throw new UpstreamException("stream event is not a JSON object", null, retryable: false);
        }
        catch (JsonException e)
        {
            throw new UpstreamException("stream event is not valid JSON", null, retryable: false, inner: e);
        }
    }

    private static string? ErrorMessage(string body)
    {
        try
        {
            var node = JsonNode.Parse(body);
            var err = node?["error"];
            return err is JsonObject o ? o["message"]?.GetValue<string>() : err?.GetValue<string>();
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            return body.Length > 200 ? body[..200] : body;
        }
    }

    /// <summary>Removes the upstream credential and anything key-shaped from text that may reach the client or a log.</summary>
    public static string Scrub(string text, string? apiKey)
    {
        if (apiKey is { Length: > 0 }) text = text.Replace(apiKey, "[redacted]", StringComparison.Ordinal);
        return KeyShape().Replace(text, "[redacted]");
    }

    [GeneratedRegex(@"\b(sk|atk|pk|rk)[-_][A-Za-z0-9_\-\*]{6,}")]
    private static partial Regex KeyShape();
}
