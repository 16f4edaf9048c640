using System.Text.Json.Nodes;
using Attest.Server.Providers;
using Microsoft.Extensions.DependencyInjection;

namespace Attest.Server.Tests.Gateway;

public sealed class FallbackTests(FakeUpstream upstream) : IClassFixture<FakeUpstream>
{
    [Fact]
    public async Task First_target_500_falls_back_to_the_next_and_headers_name_what_answered()
    {
        await using var host = await GatewayHost.StartAsync(upstream);
        using var client = host.Client();
        var before = upstream.HitCount("fail500");
        var (status, body, headers, text) = await Http.PostAsync(client, "v1/chat/completions", Http.Chat("fallback-500", "hi"));
        Assert.True(status == 200, text);
        Assert.Equal("Hello from upstream", body!["choices"]![0]!["message"]!["content"]!.GetValue<string>());
        Assert.Equal("kept", body["upstream_extra"]!.GetValue<string>());
        Assert.Equal(2, upstream.HitCount("fail500") - before);
        Assert.Equal("up", headers.GetValues("x-attest-provider").Single());
        Assert.Equal("gpt-4o-2024-08-06", headers.GetValues("x-attest-model").Single());
        Assert.Equal("true", headers.GetValues("x-attest-ai-generated").Single());
        Assert.Contains(host.Audit.Records, r => r.Type == "chat.response" && r.Attributes["attempts"] == "3");
    }

    [Fact]
    public async Task Timeout_on_first_target_falls_back_and_streams_fall_back_before_the_first_byte()
    {
        await using var host = await GatewayHost.StartAsync(upstream);
        using var client = host.Client();
        var (status, body, headers, text) = await Http.PostAsync(client, "v1/chat/completions", Http.Chat("fallback-timeout", "hi"));
        Assert.True(status == 200, text);
        Assert.Equal("up", headers.GetValues("x-attest-provider").Single());
        var (streamStatus, _, _, sse) = await Http.PostAsync(client, "v1/chat/completions", Http.Chat("fallback-500", "hi", stream: true));
        Assert.Equal(200, streamStatus);
        var events = Http.Events(sse);
        Assert.Equal("[DONE]", events[^1]);
        var content = string.Concat(events.SkipLast(1).Select(e => JsonNode.Parse(e)!["choices"]!.AsArray().FirstOrDefault()?["delta"]?["content"]?.GetValue<string>()));
        Assert.Equal("Hello from upstream", content);
        Assert.DoesNotContain(events, e => e.Contains("\"usage\":{"));
    }

    [Fact]
    public async Task Circuit_opens_after_repeated_failures_and_skips_the_target()
    {
        await using var host = await GatewayHost.StartAsync(upstream, s => s.AddSingleton(new GatewayOptions
        {
            MaxAttemptsPerTarget = 1, CircuitFailureThreshold = 2, CircuitBreakDuration = TimeSpan.FromMinutes(10),
        }));
        using var client = host.Client();
        for (var i = 0; i < 2; i++)
            Assert.Equal(200, (await Http.PostAsync(client, "v1/chat/completions", Http.Chat("fallback-500", "hi"))).Status);
        var hits = upstream.HitCount("fail500");
        Assert.Equal(200, (await Http.PostAsync(client, "v1/chat/completions", Http.Chat("fallback-500", "hi"))).Status);
        Assert.Equal(hits, upstream.HitCount("fail500"));
        var providers = JsonNode.Parse(await client.GetStringAsync("admin/providers"))!["providers"]!.AsArray();
        var broken = providers.Single(p => p!["id"]!.GetValue<string>() == "broken")!["targets"]![0]!;
        Assert.Equal("open", broken["circuit"]!.GetValue<string>());
        Assert.False(broken["available"]!.GetValue<bool>());
        Assert.DoesNotContain(GatewayHost.UpstreamKey, broken["last_error"]!.GetValue<string>());
        var up = providers.Single(p => p!["id"]!.GetValue<string>() == "up")!["targets"]!.AsArray()
            .First(t => t!["alias"]!.GetValue<string>() == "fallback-500")!;
        Assert.Equal("closed", up["circuit"]!.GetValue<string>());
        Assert.NotNull(up["latency_p50_ms"]);
        var health = host.Services.GetRequiredService<TargetHealthRegistry>().For("broken", "gpt-4o-2024-08-06").Snapshot();
        Assert.Equal("open", health.Circuit);
    }

    [Fact]
    public async Task Anthropic_provider_translates_messages_tools_and_streams()
    {
        await using var host = await GatewayHost.StartAsync(upstream);
        using var client = host.Client();
        const string tools = ""","tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}]""";
        var (status, body, headers, text) = await Http.PostAsync(client, "v1/chat/completions",
            """{"model":"claude","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Weather in Paris?"}]""" + tools + "}");
        Assert.True(status == 200, text);
        var choice = body!["choices"]![0]!;
        Assert.Equal("Hello from Claude", choice["message"]!["content"]!.GetValue<string>());
        Assert.Equal("tool_calls", choice["finish_reason"]!.GetValue<string>());
        Assert.Equal("get_weather", choice["message"]!["tool_calls"]![0]!["function"]!["name"]!.GetValue<string>());
        Assert.Equal("""{"city":"Paris"}""", choice["message"]!["tool_calls"]![0]!["function"]!["arguments"]!.GetValue<string>());
        Assert.Equal(16, body["usage"]!["total_tokens"]!.GetValue<int>());
        Assert.Equal("claude", headers.GetValues("x-attest-provider").Single());
        var sent = upstream.Bodies.Last(b => b["model"]?.ToString() == "claude-3-5-sonnet-20241022");
        Assert.Equal("Be brief.", sent["system"]!.GetValue<string>());
        Assert.Equal("get_weather", sent["tools"]![0]!["name"]!.GetValue<string>());
        Assert.Equal(GatewayHost.UpstreamKey, upstream.Credentials.Last());

        var (_, _, _, sse) = await Http.PostAsync(client, "v1/chat/completions",
            """{"model":"claude","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"Weather in Paris?"}]""" + tools + "}");
        var chunks = Http.Events(sse).SkipLast(1).Select(e => JsonNode.Parse(e)!).ToList();
        var streamed = string.Concat(chunks.Select(c => c["choices"]!.AsArray().FirstOrDefault()?["delta"]?["content"]?.GetValue<string>()));
        Assert.Equal("Hello from Claude", streamed);
        var args = string.Concat(chunks.SelectMany(c => c["choices"]!.AsArray()).SelectMany(ch => ch!["delta"]?["tool_calls"]?.AsArray() ?? [])
            .Select(t => t!["function"]?["arguments"]?.GetValue<string>()));
        Assert.Equal("""{"city":"Paris"}""", args);
        Assert.Contains(chunks, c => c["choices"]!.AsArray().FirstOrDefault()?["finish_reason"]?.GetValue<string>() == "tool_calls");
        Assert.Equal(16, chunks[^1]["usage"]!["total_tokens"]!.GetValue<int>());
    }

    [Fact]
    public async Task Azure_targets_get_api_version_and_api_key_header()
    {
        await using var host = await GatewayHost.StartAsync(upstream);
        using var client = host.Client();
        var (status, body, _, text) = await Http.PostAsync(client, "v1/chat/completions", Http.Chat("azure-chat", "hi"));
        Assert.True(status == 200, text);
        Assert.Equal("Hello from Azure", body!["choices"]![0]!["message"]!["content"]!.GetValue<string>());
        Assert.Equal($"?api-version=2024-10-21 api-key={GatewayHost.UpstreamKey} auth=", upstream.AzureCalls.Last());
    }
}
