using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Attest.Cli.Demo;

/// <summary>Spends the limited key's token budget through the gateway until Attest answers 429 with the limit's code and Retry-After.</summary>
internal sealed class BudgetDemoStep : IDemoStep
{
    public int Order => 25;
    public string Title => "Budgets: a key runs out and is refused with 429";
    public string Controls => "A1.1, CC6.1";

    public async Task<bool> RunAsync(DemoContext context, CancellationToken cancellationToken)
    {
        if (!context.State.TryGetValue("demo.key.limited", out var key))
        {
            context.Say("no limited key from the keys step");
            return false;
        }
        for (int i = 1; i <= 20; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions")
            {
                Content = JsonContent.Create(new
                {
                    model = "chat-default",
                    max_tokens = 40,
                    messages = new[] { new { role = "user", content = $"Summarise our refund policy in one line ({i})." } },
                }),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            using var response = await context.Http.SendAsync(request, cancellationToken);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                var error = (await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("error");
                var code = error.GetProperty("code").GetString();
                var retry = response.Headers.RetryAfter?.Delta?.TotalSeconds;
                context.Say($"request {i}: 429 code={code} Retry-After={retry}s — \"{error.GetProperty("message").GetString()}\"");
                return code is { } c && c.StartsWith("rate_limit_tpm_key", StringComparison.Ordinal) && retry is > 0;
            }
            if (!response.IsSuccessStatusCode)
            {
                context.Say($"request {i}: unexpected {(int)response.StatusCode}");
                return false;
            }
            context.Say($"request {i}: {(int)response.StatusCode} (within the 120 tokens/minute budget)");
        }
        context.Say("the budget never ran out");
        return false;
    }
}
