using System.Text.Json.Nodes;
using Attest.Core.Agents;
using Attest.Core.Guards;
using Attest.Core.Retrieval;
using Attest.Server.Gateway;
using Microsoft.Extensions.DependencyInjection;

namespace Attest.Server.Tests.Gateway;

public sealed class PolicyHookTests(FakeUpstream upstream) : IClassFixture<FakeUpstream>
{
    [Fact]
    public async Task Stream_blocked_midway_ends_with_a_well_formed_error_event()
    {
        await using var host = await GatewayHost.StartAsync(upstream, s => s.AddSingleton<IGuardPipeline>(new WordGuards("FORBIDDEN", blockInput: false)));
        using var client = host.Client();
        var (status, _, _, sse) = await Http.PostAsync(client, "v1/chat/completions",
            Http.Chat("chat-default", "one two three four five six seven FORBIDDEN eight nine", stream: true));
        Assert.Equal(200, status);
        var events = Http.Events(sse);
        Assert.Equal("[DONE]", events[^1]);
        var error = JsonNode.Parse(events[^2])!["error"]!;
        Assert.Equal("guard_blocked", error["code"]!.GetValue<string>());
        var released = string.Concat(events.SkipLast(2).Select(e => JsonNode.Parse(e)!["choices"]![0]!["delta"]?["content"]?.GetValue<string>()));
        Assert.StartsWith("You said:", released);
        Assert.DoesNotContain("FORBIDDEN", released);
        Assert.Contains("seven", released);
        Assert.Contains(host.Audit.Records, r => r.Type == "chat.denied" && r.Decision == "block");
    }

    [Fact]
    public async Task Input_block_is_400_and_redaction_reaches_the_provider_and_the_audit_payload()
    {
        await using var host = await GatewayHost.StartAsync(upstream, s => s.AddSingleton<IGuardPipeline>(new WordGuards("FORBIDDEN")));
        using var client = host.Client();
        var (status, body, _, _) = await Http.PostAsync(client, "v1/chat/completions", Http.Chat("chat-default", "say FORBIDDEN"));
        Assert.Equal(400, status);
        Assert.Equal("guard_blocked", Http.Code(body));
        (status, body, _, _) = await Http.PostAsync(client, "v1/chat/completions", Http.Chat("chat-default", "mail alice@example.com now"));
        Assert.Equal(200, status);
        Assert.Equal("You said: mail [EMAIL] now", body!["choices"]![0]!["message"]!["content"]!.GetValue<string>());
        var request = host.Audit.Records.Last(r => r.Type == "chat.request");
        Assert.DoesNotContain("alice@example.com", request.Payload!.ToJsonString());
        Assert.Equal("redact", request.Decision);
    }

    [Fact]
    public async Task Audit_failure_denies_with_503_and_nothing_is_dispatched()
    {
        // Without coalescing chat.request is appended at dispatch, so a log that refuses at once stops the request
        // before it is sent (CoalescingTests covers the coalesced path).
        await using var host = await GatewayHost.StartAsync(upstream, extraYaml: "audit:\n  coalesceMs: 0");
        host.Audit.Fail = true;
        using var client = host.Client();
        var before = upstream.HitCount("openai");
        var (status, body, headers, _) = await Http.PostAsync(client, "v1/chat/completions", Http.Chat("up-chat", "hi"));
        Assert.Equal(503, status);
        Assert.Equal("audit_unavailable", Http.Code(body));
        Assert.Equal(before, upstream.HitCount("openai"));
        Assert.False(headers.Contains("x-attest-ai-generated"));
    }

    [Fact]
    public async Task Limit_denial_is_429_with_retry_after_and_the_limit_code()
    {
        await using var host = await GatewayHost.StartAsync(upstream, s => s.AddSingleton<IUsageLimiter>(new DenyingLimiter()));
        using var client = host.Client();
        using var response = await client.PostAsync("v1/chat/completions", Http.Json(Http.Chat("chat-default", "hi")));
        Assert.Equal(429, (int)response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(42), response.Headers.RetryAfter!.Delta);
        Assert.Equal("budget_tokens_day_key", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task Usage_is_reserved_before_and_reconciled_after_for_chat_streams_and_embeddings()
    {
        var limiter = new CountingLimiter();
        await using var host = await GatewayHost.StartAsync(upstream, s => s.AddSingleton<IUsageLimiter>(limiter));
        using var client = host.Client();
        var (_, body, _, _) = await Http.PostAsync(client, "v1/chat/completions", Http.Chat("chat-default", "count my tokens please", extra: ",\"max_tokens\":50"));
        var used = body!["usage"]!["total_tokens"]!.GetValue<long>();
        Assert.Equal(used, limiter.Reconciled);
        Assert.True(limiter.Reserved >= 50);
        await Http.PostAsync(client, "v1/chat/completions", Http.Chat("chat-default", "count my tokens please", stream: true));
        Assert.Equal(2 * used, limiter.Reconciled);
        await Http.PostAsync(client, "v1/chat/completions", Http.Chat("fallback-timeout", "x").Replace("fallback-timeout", "up-chat", StringComparison.Ordinal));
        await Http.PostAsync(client, "v1/embeddings", """{"model":"embed-default","input":["a b c"]}""");
        Assert.Equal(0, limiter.Released);
    }

    [Fact]
    public async Task On_behalf_of_token_names_the_end_user_and_a_bad_one_is_refused()
    {
        await using var host = await GatewayHost.StartAsync(upstream);
        using var client = host.Client();
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = Http.Json(Http.Chat("chat-default", "hi")) };
        request.Headers.Add("x-attest-obo", Obo.Token("bob"));
        using var ok = await client.SendAsync(request);
        Assert.Equal(200, (int)ok.StatusCode);
        var record = host.Audit.Records.Last(r => r.Type == "chat.response");
        Assert.Equal("bob", record.Actor.EndUser);
        Assert.Equal("acme/user/bob", record.Subject);
        foreach (var bad in new[] { Obo.Token("bob", secret: "another-signing-key-0123456789abcdef"), Obo.Token("bob", expires: DateTime.UtcNow.AddHours(-1)), "not-a-jwt" })
        {
            using var refused = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = Http.Json(Http.Chat("chat-default", "hi")) };
            refused.Headers.Add("x-attest-obo", bad);
            using var response = await client.SendAsync(refused);
            Assert.Equal(401, (int)response.StatusCode);
            Assert.Equal("invalid_obo_token", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!["code"]!.GetValue<string>());
        }
        var (_, _, _, _) = await Http.PostAsync(client, "v1/chat/completions", Http.Chat("chat-default", "hi", extra: ",\"user\":\"carol\""));
        Assert.Equal("carol", host.Audit.Records.Last(r => r.Type == "chat.response").Actor.EndUser);
    }

    [Fact]
    public async Task Retrieval_extension_injects_numbered_context_and_is_stripped_before_forwarding()
    {
        await using var host = await GatewayHost.StartAsync(upstream, s => s.AddSingleton<IContextRetriever>(new FixedRetriever()));
        using var client = host.Client();
        var (status, body, _, text) = await Http.PostAsync(client, "v1/chat/completions",
            Http.Chat("chat-default", "How many days until refunds are issued?", extra: ",\"attest\":{\"retrieve\":{\"top_k\":2}}"));
        Assert.True(status == 200, text);
        var answer = body!["choices"]![0]!["message"]!["content"]!.GetValue<string>();
        Assert.Contains("[1] Refunds are issued within 14 days", answer);
        Assert.DoesNotContain("canteen", answer);
        (status, _, _, _) = await Http.PostAsync(client, "v1/chat/completions", Http.Chat("up-chat", "hi", extra: ",\"attest\":{\"retrieve\":true}"));
        Assert.Equal(200, status);
        Assert.Null(upstream.Bodies.Last()["attest"]);
        host.Keys.Add("atk_no_retrieve", scopes: ["chat"]);
        using var limited = host.Client("atk_no_retrieve");
        var denied = await Http.PostAsync(limited, "v1/chat/completions", Http.Chat("chat-default", "hi", extra: ",\"attest\":{\"retrieve\":{}}"));
        Assert.Equal(403, denied.Status);
        Assert.Equal("insufficient_scope", Http.Code(denied.Body));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Disallowed_tool_calls_are_removed_or_block_the_answer(bool stream)
    {
        const string tools = ""","tools":[{"type":"function","function":{"name":"delete_account","parameters":{"type":"object","properties":{"user":{"type":"string"}},"required":["user"]}}}]""";
        await using (var host = await GatewayHost.StartAsync(upstream, s => s.AddSingleton<IToolCallPolicy>(new AllowListToolPolicy("remove", "get_weather"))))
        {
            using var client = host.Client();
            var (status, body, _, sse) = await Http.PostAsync(client, "v1/chat/completions", Http.Chat("chat-default", "call delete_account for \"mallory\"", stream, tools));
            Assert.Equal(200, status);
            Assert.DoesNotContain("delete_account", stream ? sse : body!.ToJsonString());
            Assert.Contains(stream ? "\"finish_reason\":\"stop\"" : "\"finish_reason\":\"stop\"", stream ? sse : body!.ToJsonString());
        }
        await using (var host = await GatewayHost.StartAsync(upstream, s => s.AddSingleton<IToolCallPolicy>(new AllowListToolPolicy("block", "get_weather"))))
        {
            using var client = host.Client();
            var (status, body, _, sse) = await Http.PostAsync(client, "v1/chat/completions", Http.Chat("chat-default", "call delete_account for \"mallory\"", stream, tools));
            if (stream) Assert.Contains("\"code\":\"tool_not_allowed\"", sse);
            else { Assert.Equal(403, status); Assert.Equal("tool_not_allowed", Http.Code(body)); }
        }
        await using (var host = await GatewayHost.StartAsync(upstream, s => s.AddSingleton<IToolCallPolicy>(new AllowListToolPolicy("block", "delete_account"))))
        {
            using var client = host.Client();
            var (_, body, _, sse) = await Http.PostAsync(client, "v1/chat/completions", Http.Chat("chat-default", "call delete_account for \"mallory\"", stream, tools));
            Assert.Contains("mallory", stream ? sse : body!.ToJsonString());
            Assert.Contains("delete_account", stream ? sse : body!.ToJsonString());
        }
    }

    [Fact]
    public async Task No_provider_or_client_key_reaches_a_response_or_a_log_line()
    {
        await using var host = await GatewayHost.StartAsync(upstream);
        using var client = host.Client();
        var texts = new List<string>();
        foreach (var model in new[] { "fallback-500", "up-chat", "claude", "chat-default" })
        {
            texts.Add((await Http.PostAsync(client, "v1/chat/completions", Http.Chat(model, "hello secret-prompt-words"))).Text);
            texts.Add((await Http.PostAsync(client, "v1/chat/completions", Http.Chat(model, "hello secret-prompt-words", stream: true))).Text);
        }
        using (var broken = host.Client())
        {
            // A model whose every target fails: the upstream's error text (which echoes its key) must not leak.
            var only500 = await Http.PostAsync(broken, "v1/chat/completions", Http.Chat("fallback-500", "x"));
            texts.Add(only500.Text);
        }
        texts.Add(await client.GetStringAsync("admin/providers"));
        Assert.All(texts, t => Assert.DoesNotContain(GatewayHost.UpstreamKey, t));
        Assert.NotEmpty(host.Logs.Lines);
        Assert.All(host.Logs.Lines, l =>
        {
            Assert.DoesNotContain(GatewayHost.UpstreamKey, l);
            Assert.DoesNotContain(GatewayHost.ClientKey, l);
            Assert.DoesNotContain("secret-prompt-words", l);
        });
        Assert.All(host.Audit.Records, r => Assert.DoesNotContain(GatewayHost.UpstreamKey, r.Payload?.ToJsonString() ?? ""));
    }
}
