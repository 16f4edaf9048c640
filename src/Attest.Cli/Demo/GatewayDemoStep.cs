using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Attest.Cli.Demo;

/// <summary>
/// Chats through the gateway to the offline provider with the key the virtual-keys step created:
/// one answer, one stream, the disclosure headers, and — when a budget-limited key exists — a 429.
/// </summary>
internal sealed class GatewayDemoStep : IDemoStep
{
    public int Order => 20;
    public string Title => "OpenAI-compatible gateway: chat, streaming, disclosure headers";
    public string Controls => "CC6.1, CC7.2, PI1.3";

    public async Task<bool> RunAsync(DemoContext context, CancellationToken cancellationToken)
    {
        if (!context.State.TryGetValue("demo.key", out var key))
        {
            context.Say("no virtual key was handed over by the keys step (demo.key); the gateway refuses calls without one");
            return false;
        }
        using var chat = await PostAsync(context, key, """{"model":"chat-default","messages":[{"role":"user","content":"Summarise our refund policy in one line."}]}""", cancellationToken);
        var body = JsonNode.Parse(await chat.Content.ReadAsStringAsync(cancellationToken));
        var answer = body?["choices"]?[0]?["message"]?["content"]?.GetValue<string>();
        var model = Header(chat, "x-attest-model");
        var provider = Header(chat, "x-attest-provider");
        var generated = Header(chat, "x-attest-ai-generated");
        context.Say($"POST /v1/chat/completions -> {(int)chat.StatusCode}: \"{answer}\"");
        context.Say($"x-attest-model: {model}; x-attest-provider: {provider}; x-attest-ai-generated: {generated} (pinned version and AI disclosure)");

        using var stream = await PostAsync(context, key, """{"model":"chat-default","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"Stream a short greeting to the team."}]}""", cancellationToken);
        var sse = await stream.Content.ReadAsStringAsync(cancellationToken);
        var events = sse.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Select(e => e.Trim()).Where(e => e.StartsWith("data: ", StringComparison.Ordinal)).Select(e => e[6..]).ToList();
        var text = new StringBuilder();
        int? tokens = null;
        foreach (var e in events.Where(e => e != "[DONE]"))
        {
            var chunk = JsonNode.Parse(e);
            if (chunk?["choices"] is JsonArray { Count: > 0 } choices) text.Append(choices[0]?["delta"]?["content"]?.GetValue<string>());
            tokens = chunk?["usage"]?["total_tokens"]?.GetValue<int>() ?? tokens;
        }
        context.Say($"streamed in {events.Count - 1} chunks: \"{text}\" ({tokens} tokens, usage chunk included)");
        var ok = chat.IsSuccessStatusCode && answer is { Length: > 0 } && model == "offline-echo-2026-01" && provider == "local" && generated == "true"
                 && stream.IsSuccessStatusCode && events.Count > 3 && events[^1] == "[DONE]" && tokens > 0;

        using var unknown = await PostAsync(context, key, """{"model":"gpt-unknown","messages":[{"role":"user","content":"hi"}]}""", cancellationToken);
        context.Say($"unknown model -> {(int)unknown.StatusCode} {Code(await unknown.Content.ReadAsStringAsync(cancellationToken))} (only configured, pinned models answer)");
        ok &= (int)unknown.StatusCode == 404;

        if (context.State.TryGetValue("demo.key.limited", out var limited))
        {
            var status = 0;
            for (var i = 0; i < 20 && status != 429; i++)
            {
                using var r = await PostAsync(context, limited, """{"model":"chat-default","max_tokens":64,"messages":[{"role":"user","content":"Spend my budget."}]}""", cancellationToken);
                status = (int)r.StatusCode;
                if (status == 429) context.Say($"budget-limited key: request {i + 1} -> 429 {Code(await r.Content.ReadAsStringAsync(cancellationToken))}, Retry-After {r.Headers.RetryAfter}");
            }
            ok &= status == 429;
        }
        return ok;
    }

    private static async Task<HttpResponseMessage> PostAsync(DemoContext context, string key, string json, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return await context.Http.SendAsync(request, cancellationToken);
    }

    private static string? Header(HttpResponseMessage r, string name) => r.Headers.TryGetValues(name, out var v) ? v.FirstOrDefault() : null;

    private static string? Code(string json)
    {
        try { return JsonNode.Parse(json)?["error"]?["code"]?.GetValue<string>(); }
        catch (System.Text.Json.JsonException) { return null; }
    }
}
