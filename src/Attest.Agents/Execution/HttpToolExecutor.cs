using System.Net.Http.Headers;
using System.Text;
using Attest.Core.Config;

namespace Attest.Agents.Execution;

/// <summary>
/// Forwards a call to an HTTP tool with the tool's own credential (<see cref="ToolConfig.Credentials"/>, sent as a
/// bearer token). The agent never sees the credential: it is not in the request the agent made, and any echo of it
/// in the response is scrubbed before the result leaves Attest. Thread-safe.
/// </summary>
public sealed class HttpToolExecutor(IHttpClientFactory clients)
{
    /// <summary>Name of the <see cref="HttpClient"/> used for tools (configure timeouts or handlers on it).</summary>
    public const string ClientName = "attest-tools";
    public const string Scrubbed = "[REDACTED:tool-credential]";
    private const int MaxResponseChars = 1 << 20;

    public async Task<ToolExecution> ExecuteAsync(ToolConfig tool, string argumentsJson, PolicySnapshot snapshot, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(tool.Url, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            throw new ToolUnavailableException($"tool '{tool.Id}' has no valid http(s) url");
        var credential = snapshot.ResolveSecret(tool.Credentials);
        if (tool.Credentials is not null && string.IsNullOrEmpty(credential))
            throw new ToolUnavailableException($"tool '{tool.Id}': its credential is not available (secret reference unresolved)");
        var client = clients.CreateClient(ClientName);
        using var request = new HttpRequestMessage(new HttpMethod(tool.Method.ToUpperInvariant()), url);
        if (request.Method != HttpMethod.Get) request.Content = new StringContent(argumentsJson, Encoding.UTF8, "application/json");
        if (credential is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", credential);
        HttpResponseMessage response;
        try { response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken); }
        catch (HttpRequestException e) { throw new ToolUnavailableException($"tool '{tool.Id}' is unreachable: {e.HttpRequestError}", e); }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested) { throw new ToolUnavailableException($"tool '{tool.Id}' timed out", e); }
        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (body.Length > MaxResponseChars) body = body[..MaxResponseChars];
            var contentType = response.Content.Headers.ContentType?.MediaType ?? "text/plain";
            return new ToolExecution(Scrub(body, credential), contentType, !response.IsSuccessStatusCode, (int)response.StatusCode);
        }
    }

    /// <summary>Removes the credential (as sent, and base64-encoded) from text the agent will see.</summary>
    public static string Scrub(string text, string? credential)
    {
        if (string.IsNullOrEmpty(credential) || credential.Length < 4) return text;
        text = text.Replace(credential, Scrubbed, StringComparison.Ordinal);
        var b64 = Convert.ToBase64String(Encoding.UTF8.GetBytes(credential)).TrimEnd('=');
        return b64.Length >= 4 ? text.Replace(b64, Scrubbed, StringComparison.Ordinal) : text;
    }
}
