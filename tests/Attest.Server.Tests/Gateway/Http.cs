using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Attest.Server.Tests.Gateway;

internal static class Http
{
    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public static string Chat(string model, string user, bool stream = false, string extra = "") =>
        $$"""{"model":"{{model}}","messages":[{"role":"user","content":{{JsonValue.Create(user).ToJsonString()}}}],"stream":{{(stream ? "true" : "false")}}{{extra}}}""";

    public static async Task<(int Status, JsonObject? Body, HttpResponseHeaders Headers, string Text)> PostAsync(HttpClient client, string path, string json)
    {
        using var response = await client.PostAsync(path, Json(json));
        var text = await response.Content.ReadAsStringAsync();
        JsonObject? body = null;
        try { body = JsonNode.Parse(text) as JsonObject; } catch (System.Text.Json.JsonException) { }
        return ((int)response.StatusCode, body, response.Headers, text);
    }

    public static string? Code(JsonObject? body) => body?["error"]?["code"]?.GetValue<string>();

    /// <summary>The data payloads of an SSE body, in order.</summary>
    public static List<string> Events(string sse) =>
        [.. sse.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Select(e => e.Trim()).Where(e => e.StartsWith("data: ", StringComparison.Ordinal)).Select(e => e[6..])];
}
