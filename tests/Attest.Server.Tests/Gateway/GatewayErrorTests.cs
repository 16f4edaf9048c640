using System.Text.Json.Nodes;

namespace Attest.Server.Tests.Gateway;

public sealed class GatewayErrorTests(FakeUpstream upstream) : IClassFixture<FakeUpstream>
{
    [Fact]
    public async Task Client_mistakes_get_openai_shaped_errors_with_stable_codes()
    {
        await using var host = await GatewayHost.StartAsync(upstream);
        host.Keys.Add("atk_embed_only", scopes: ["embeddings"]);
        host.Keys.Add("atk_revoked", revoked: DateTimeOffset.UnixEpoch);
        host.Keys.Add("atk_expired", expires: DateTimeOffset.UnixEpoch.AddYears(1));
        host.Keys.Add("atk_other_models", models: ["embed-default"]);
        using var client = host.Client();

        var cases = new (HttpClient Client, string Json, int Status, string Code)[]
        {
            (client, "{\"model\": \"chat-default\", \"messages\": [", 400, "invalid_json"),
            (client, "[1,2]", 400, "invalid_json"),
            (client, "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", 400, "missing_parameter"),
            (client, "{\"model\":\"chat-default\",\"messages\":\"x\"}", 400, "invalid_parameter"),
            (client, Http.Chat("chat-default", new string('a', 5000)), 413, "request_too_large"),
            (client, Http.Chat("nope", "hi"), 404, "model_not_found"),
            (client, Http.Chat("embed-default", "hi"), 400, "invalid_model_kind"),
            (client, Http.Chat("loose", "hi"), 403, "model_not_pinned"),
            (host.Client(null), Http.Chat("chat-default", "hi"), 401, "missing_api_key"),
            (host.Client("atk_unknown"), Http.Chat("chat-default", "hi"), 401, "invalid_api_key"),
            (host.Client("atk_revoked"), Http.Chat("chat-default", "hi"), 401, "key_revoked"),
            (host.Client("atk_expired"), Http.Chat("chat-default", "hi"), 401, "key_expired"),
            (host.Client("atk_embed_only"), Http.Chat("chat-default", "hi"), 403, "insufficient_scope"),
            (host.Client("atk_other_models"), Http.Chat("chat-default", "hi"), 403, "model_not_allowed"),
        };
        foreach (var (c, json, status, code) in cases)
        {
            var (actual, body, _, text) = await Http.PostAsync(c, "v1/chat/completions", json);
            Assert.True(status == actual, $"{code}: expected {status}, got {actual}: {text}");
            Assert.Equal(code, Http.Code(body));
            Assert.NotNull(body!["error"]!["message"]);
            Assert.NotNull(body["error"]!["type"]);
            Assert.True(body["error"]!.AsObject().ContainsKey("param"));
        }
        // Refusals after authentication are recorded; the 401s have no trusted tenant and are only logged.
        Assert.Equal(10, host.Audit.Records.Count(r => r.Type == "chat.denied"));
    }

    [Fact]
    public async Task No_authenticator_registered_refuses_every_key()
    {
        await using var host = await GatewayHost.StartAsync(upstream, s =>
        {
            var existing = s.Where(d => d.ServiceType == typeof(Server.Gateway.IKeyAuthenticator)).ToList();
            foreach (var d in existing) s.Remove(d);
        });
        using var client = host.Client();
        var (status, body, _, _) = await Http.PostAsync(client, "v1/chat/completions", Http.Chat("chat-default", "hi"));
        Assert.Equal(401, status);
        Assert.Equal("invalid_api_key", Http.Code(body));
    }

    [Fact]
    public async Task Models_lists_only_aliases_the_key_may_use_and_admin_needs_the_scope()
    {
        await using var host = await GatewayHost.StartAsync(upstream);
        host.Keys.Add("atk_two", models: ["chat-default", "embed-default"]);
        using var two = host.Client("atk_two");
        var models = JsonNode.Parse(await two.GetStringAsync("v1/models"))!;
        Assert.Equal(["chat-default", "embed-default"], models["data"]!.AsArray().Select(m => m!["id"]!.GetValue<string>()).ToArray());
        using var forbidden = await two.GetAsync("admin/providers");
        Assert.Equal(403, (int)forbidden.StatusCode);
        using var admin = host.Client();
        var providers = JsonNode.Parse(await admin.GetStringAsync("admin/providers"))!;
        Assert.Equal(7, providers["providers"]!.AsArray().Count);
        Assert.DoesNotContain(GatewayHost.UpstreamKey, providers.ToJsonString());
    }
}

public sealed class GatewayFormatTests(FakeUpstream upstream) : IClassFixture<FakeUpstream>
{
    [Fact]
    public async Task Wrongly_typed_fields_are_400_not_500()
    {
        await using var host = await GatewayHost.StartAsync(upstream);
        using var client = host.Client();
        foreach (var extra in new[] { ",\"stream_options\":\"x\"", ",\"response_format\":\"json\"", ",\"tools\":[1]", ",\"tool_choice\":5", ",\"max_tokens\":-1", ",\"attest\":[]" })
        {
            var (status, body, _, text) = await Http.PostAsync(client, "v1/chat/completions", Http.Chat("chat-default", "hi", extra: extra));
            Assert.True(status == 400, extra + " -> " + text);
            Assert.Equal("invalid_parameter", Http.Code(body));
        }
        var streamYes = await Http.PostAsync(client, "v1/chat/completions", """{"model":"chat-default","stream":"yes","messages":[{"role":"user","content":"hi"}]}""");
        Assert.Equal("invalid_parameter", Http.Code(streamYes.Body));
        var duplicate = await Http.PostAsync(client, "v1/chat/completions", Http.Chat("chat-default", "hi", extra: ",\"stream\":true"));
        Assert.Equal(400, duplicate.Status);
        Assert.Equal("invalid_json", Http.Code(duplicate.Body));
        var embed = await Http.PostAsync(client, "v1/embeddings", """{"model":"embed-default","input":[1,2]}""");
        Assert.Equal(400, embed.Status);
    }

    [Fact]
    public async Task Json_schema_response_format_yields_valid_json_with_required_fields()
    {
        await using var host = await GatewayHost.StartAsync(upstream);
        using var client = host.Client();
        const string format = ""","response_format":{"type":"json_schema","json_schema":{"name":"t","strict":true,"schema":{"type":"object","properties":{"title":{"type":"string","maxLength":12},"score":{"type":"integer"},"ok":{"type":"boolean"},"tags":{"type":"array","items":{"type":"string","enum":["a","b"]}}},"required":["title","score","ok","tags"]}}}""";
        var (status, body, _, text) = await Http.PostAsync(client, "v1/chat/completions", Http.Chat("chat-default", "rate this product please", extra: format));
        Assert.True(status == 200, text);
        var doc = System.Text.Json.Nodes.JsonNode.Parse(body!["choices"]![0]!["message"]!["content"]!.GetValue<string>())!;
        Assert.True(doc["title"]!.GetValue<string>().Length <= 12);
        Assert.True(doc["score"]!.GetValue<int>() > 0);
        Assert.True(doc["ok"]!.GetValue<bool>());
        Assert.Equal("a", doc["tags"]![0]!.GetValue<string>());
    }
}
