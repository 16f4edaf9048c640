using Attest.Server.Gateway;
using Microsoft.Extensions.DependencyInjection;

namespace Attest.Server.Tests.Gateway;

/// <summary>A key store that cannot be read refuses gateway requests with 503 <c>auth_unavailable</c> (fail closed, not a 500).</summary>
public sealed class KeyStoreDownTests(FakeUpstream upstream) : IClassFixture<FakeUpstream>
{
    private sealed class UnreachableKeys : IKeyAuthenticator
    {
        public int Calls;

        public ValueTask<KeyAuthentication> AuthenticateAsync(string? presentedKey, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref Calls);
            throw new InvalidOperationException("key store unreachable");
        }
    }

    [Fact]
    public async Task Chat_and_embeddings_answer_503_auth_unavailable_and_nothing_goes_upstream()
    {
        var keys = new UnreachableKeys();
        await using var host = await GatewayHost.StartAsync(upstream, s => s.AddSingleton<IKeyAuthenticator>(keys));
        using var client = host.Client();
        var upstreamBefore = upstream.Bodies.Count;

        var chat = await Http.PostAsync(client, "v1/chat/completions", Http.Chat("chat-default", "hello"));
        Assert.Equal(503, chat.Status);
        Assert.Equal("auth_unavailable", Http.Code(chat.Body));
        var embed = await Http.PostAsync(client, "v1/embeddings", """{"model":"embed-default","input":"hello"}""");
        Assert.Equal(503, embed.Status);
        Assert.Equal("auth_unavailable", Http.Code(embed.Body));

        Assert.Equal(2, keys.Calls);
        Assert.Equal(upstreamBefore, upstream.Bodies.Count);
        Assert.Contains(host.Logs.Lines, l => l.Contains("auth_unavailable", StringComparison.Ordinal) && l.Contains(nameof(InvalidOperationException), StringComparison.Ordinal));
        Assert.DoesNotContain(host.Logs.Lines, l => l.Contains(GatewayHost.ClientKey, StringComparison.Ordinal));
    }
}
