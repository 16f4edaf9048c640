using System.ClientModel;
using OpenAI;
using OpenAI.Chat;
using OpenAI.Embeddings;

namespace Attest.Server.Tests.Gateway;

/// <summary>The official OpenAI .NET SDK, pointed at Attest by base URL and key only, works unchanged.</summary>
public sealed class OpenAiSdkTests(FakeUpstream upstream) : IClassFixture<FakeUpstream>
{
    private static OpenAIClientOptions Options(GatewayHost host) => new() { Endpoint = new Uri(host.BaseUrl + "/v1") };

    [Fact]
    public async Task Chat_through_offline_provider_answers_and_is_audited()
    {
        await using var host = await GatewayHost.StartAsync(upstream);
        var client = new ChatClient("chat-default", new ApiKeyCredential(GatewayHost.ClientKey), Options(host));
        ChatCompletion completion = await client.CompleteChatAsync([new UserChatMessage("What is the refund window?")]);
        Assert.Equal("You said: What is the refund window?", completion.Content[0].Text);
        Assert.Equal("offline-echo-2026-01", completion.Model);
        Assert.True(completion.Usage.InputTokenCount > 0);
        Assert.Equal(ChatFinishReason.Stop, completion.FinishReason);
        // The host also records the config version it started with (config.applied); the chat left exactly these two.
        var types = host.Audit.Records.Select(r => r.Type).Where(t => t.StartsWith("chat.", StringComparison.Ordinal)).ToList();
        Assert.Equal(["chat.request", "chat.response"], types);
        var response = host.Audit.Records.Last();
        Assert.Equal(new Core.Audit.AuditModel("chat-default", "offline-echo-2026-01", "local"), response.Model);
        Assert.Equal("acme", response.Tenant);
        Assert.Equal(completion.Usage.OutputTokenCount, response.OutputTokens);
        Assert.True(response.Digests.ContainsKey("response"));
        Assert.Equal("true", response.Attributes["ai_disclosure"]); // the record states the disclosure the client received
    }

    [Fact]
    public async Task Streaming_delivers_several_chunks_and_usage()
    {
        await using var host = await GatewayHost.StartAsync(upstream);
        var client = new ChatClient("chat-default", new ApiKeyCredential(GatewayHost.ClientKey), Options(host));
        var text = "";
        var updates = 0;
        ChatTokenUsage? usage = null;
        await foreach (var update in client.CompleteChatStreamingAsync([new UserChatMessage("Please stream this sentence back to me in pieces")],
            new ChatCompletionOptions()))
        {
            updates++;
            foreach (var part in update.ContentUpdate) text += part.Text;
            usage ??= update.Usage;
        }
        Assert.Equal("You said: Please stream this sentence back to me in pieces", text);
        Assert.True(updates >= 4);
        Assert.NotNull(usage);
        Assert.True(usage!.OutputTokenCount > 0);
        Assert.Contains(host.Audit.Records, r => r.Type == "chat.response" && r.OutputTokens == usage.OutputTokenCount);
    }

    [Fact]
    public async Task Tool_calls_come_back_as_function_calls()
    {
        await using var host = await GatewayHost.StartAsync(upstream);
        var client = new ChatClient("chat-default", new ApiKeyCredential(GatewayHost.ClientKey), Options(host));
        var tool = ChatTool.CreateFunctionTool("get_weather", "Weather for a city",
            BinaryData.FromString("""{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}"""));
        ChatCompletion completion = await client.CompleteChatAsync([new UserChatMessage("Use get_weather for Paris")], new ChatCompletionOptions { Tools = { tool } });
        Assert.Equal(ChatFinishReason.ToolCalls, completion.FinishReason);
        var call = Assert.Single(completion.ToolCalls);
        Assert.Equal("get_weather", call.FunctionName);
        Assert.Equal("""{"city":"Paris"}""", call.FunctionArguments.ToString());
    }

    [Fact]
    public async Task Embeddings_are_normalised_vectors()
    {
        await using var host = await GatewayHost.StartAsync(upstream);
        var client = new EmbeddingClient("embed-default", new ApiKeyCredential(GatewayHost.ClientKey), Options(host));
        OpenAIEmbedding a = await client.GenerateEmbeddingAsync("refund policy for customers");
        OpenAIEmbedding b = await client.GenerateEmbeddingAsync("refund policy for customers");
        var v = a.ToFloats().ToArray();
        Assert.Equal(256, v.Length);
        Assert.Equal(1.0, Math.Sqrt(v.Sum(x => (double)x * x)), 3);
        Assert.Equal(v, b.ToFloats().ToArray());
        Assert.Contains(host.Audit.Records, r => r.Type == "embeddings.request");
    }

    [Fact]
    public async Task Errors_surface_as_client_exceptions_with_status()
    {
        await using var host = await GatewayHost.StartAsync(upstream);
        var bad = new ChatClient("chat-default", new ApiKeyCredential("atk_wrong"), Options(host));
        var e401 = await Assert.ThrowsAsync<ClientResultException>(() => bad.CompleteChatAsync([new UserChatMessage("hi")]));
        Assert.Equal(401, e401.Status);
        Assert.Contains("invalid_api_key", e401.Message);
        var unknown = new ChatClient("no-such-model", new ApiKeyCredential(GatewayHost.ClientKey), Options(host));
        var e404 = await Assert.ThrowsAsync<ClientResultException>(() => unknown.CompleteChatAsync([new UserChatMessage("hi")]));
        Assert.Equal(404, e404.Status);
        Assert.Contains("model_not_found", e404.Message);
    }

    [Fact]
    public async Task Upstream_openai_provider_gets_the_configured_credential_and_the_body_passes_through()
    {
        await using var host = await GatewayHost.StartAsync(upstream);
        var client = new ChatClient("up-chat", new ApiKeyCredential(GatewayHost.ClientKey), Options(host));
        ChatCompletion completion = await client.CompleteChatAsync([new UserChatMessage("hi there")], new ChatCompletionOptions { Temperature = 0.25f });
        Assert.Equal("Hello from upstream", completion.Content[0].Text);
        Assert.Contains("Bearer " + GatewayHost.UpstreamKey, upstream.Credentials);
        Assert.DoesNotContain(upstream.Credentials, c => c.Contains(GatewayHost.ClientKey));
        var sent = upstream.Bodies.Last(b => b["model"]?.ToString() == "gpt-4o-2024-08-06");
        Assert.Equal(0.25, sent["temperature"]!.GetValue<double>(), 3);
    }
}
