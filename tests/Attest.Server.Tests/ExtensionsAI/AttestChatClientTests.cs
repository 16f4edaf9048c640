using System.Runtime.CompilerServices;
using Attest.Core.Identity;
using Attest.Extensions.AI;
using Attest.Server.Tests.Gateway;
using Microsoft.Extensions.AI;

namespace Attest.Server.Tests.ExtensionsAI;

public sealed class AttestChatClientTests
{
    /// <summary>An inner client that echoes the last user text and, when asked, proposes a tool call.</summary>
    private sealed class EchoClient : IChatClient
    {
        public List<ChatMessage> Seen { get; } = [];

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            Seen.AddRange(messages);
            var last = messages.Last().Text;
            var reply = new ChatMessage(ChatRole.Assistant, "echo: " + last);
            if (last.Contains("tool")) reply.Contents.Add(new FunctionCallContent("c1", "delete_account", new Dictionary<string, object?> { ["user"] = "x" }));
            return Task.FromResult(new ChatResponse(reply) { Usage = new UsageDetails { InputTokenCount = 3, OutputTokenCount = 4 } });
        }

        public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
            [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            foreach (var word in ("echo: " + messages.Last().Text).Split(' '))
            {
                await Task.Yield();
                yield return new ChatResponseUpdate(ChatRole.Assistant, word + " ");
            }
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;
        public void Dispose() { }
    }

    private static AttestChatClientOptions Options(RecordingAuditLog audit, string onDisallowed = "remove") => new()
    {
        Identity = () => new RequestIdentity { Tenant = "acme", Agent = "support-bot", EndUser = "bob" },
        Guards = new WordGuards("FORBIDDEN", blockInput: false),
        Audit = audit,
        ToolPolicy = new AllowListToolPolicy(onDisallowed, "get_weather"),
        ModelAlias = "chat-default",
    };

    [Fact]
    public async Task Redacts_input_removes_disallowed_tool_calls_and_audits()
    {
        var inner = new EchoClient();
        var audit = new RecordingAuditLog();
        var client = inner.WithAttest(Options(audit));
        var response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "mail alice@example.com and use the tool")]);
        Assert.Equal("mail [EMAIL] and use the tool", inner.Seen.Single().Text);
        Assert.Equal("echo: mail [EMAIL] and use the tool", response.Text);
        Assert.Empty(response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
        Assert.Equal(["chat.request", "chat.response"], audit.Records.Select(r => r.Type).ToArray());
        Assert.Equal(4, audit.Records.Last().OutputTokens);
        Assert.Equal("bob", audit.Records.Last().Actor.EndUser);
    }

    [Fact]
    public async Task Blocked_tool_call_and_failing_audit_refuse_the_call()
    {
        var audit = new RecordingAuditLog();
        var client = new EchoClient().WithAttest(Options(audit, onDisallowed: "block"));
        var refused = await Assert.ThrowsAsync<AttestPolicyException>(() => client.GetResponseAsync([new ChatMessage(ChatRole.User, "use the tool")]));
        Assert.Equal("tool_not_allowed", refused.Code);
        Assert.Contains(audit.Records, r => r.Type == "chat.denied");
        audit.Fail = true;
        var failed = await Assert.ThrowsAsync<AttestPolicyException>(() => client.GetResponseAsync([new ChatMessage(ChatRole.User, "hello")]));
        Assert.Equal("audit_unavailable", failed.Code);
    }

    [Fact]
    public async Task Stream_is_guarded_chunk_by_chunk_and_stops_at_a_block()
    {
        var audit = new RecordingAuditLog();
        var client = new EchoClient().WithAttest(Options(audit));
        var received = "";
        var refused = await Assert.ThrowsAsync<AttestPolicyException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "one two FORBIDDEN three")]))
                received += update.Text;
        });
        Assert.Equal("guard_blocked", refused.Code);
        Assert.Equal("echo: one two ", received);
        var ok = "";
        await foreach (var update in client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "all fine")])) ok += update.Text;
        Assert.Equal("echo: all fine ", ok);
        Assert.Equal("chat.response", audit.Records.Last().Type);
    }
}
