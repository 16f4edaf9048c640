using Attest.Audit.Log;
using Attest.Core.Audit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Attest.Server.Tests.Gateway;

/// <summary>
/// audit.coalesceMs: a non-streaming answer that arrives within the window is recorded with its chat.request in one
/// commit (one AppendManyAsync group); a slower one, a stream, or window 0 commits chat.request on its own.
/// </summary>
public sealed class CoalescingTests(FakeUpstream upstream) : IClassFixture<FakeUpstream>
{
    // Wide enough that the loopback upstream always answers inside it, even on a loaded machine.
    private const string WideWindow = "audit:\n  coalesceMs: 1000";

    [Fact]
    public async Task A_fast_answer_is_recorded_with_its_request_in_one_group()
    {
        await using var host = await GatewayHost.StartAsync(upstream, extraYaml: WideWindow);
        using var client = host.Client();
        var (status, _, headers, text) = await Http.PostAsync(client, "v1/chat/completions", Http.Chat("up-chat", "hi"));
        Assert.True(status == 200, text);
        var group = Assert.Single(host.Audit.Groups);
        Assert.Equal(["chat.request", "chat.response"], group);
        var id = headers.GetValues("x-request-id").Single();
        var mine = host.Audit.Records.Where(r => r.Attributes.GetValueOrDefault("request_id") == id).Select(r => r.Type).ToArray();
        Assert.Equal(["chat.request", "chat.response"], mine);
    }

    [Fact]
    public async Task An_answer_slower_than_the_window_commits_the_request_alone_first()
    {
        // The delayed upstream answers after 150 ms; the window is 5 ms.
        await using var host = await GatewayHost.StartAsync(upstream, extraYaml: "audit:\n  coalesceMs: 5");
        using var client = host.Client();
        var (status, _, headers, text) = await Http.PostAsync(client, "v1/chat/completions", Http.Chat("up-delayed", "hi"));
        Assert.True(status == 200, text);
        Assert.Contains("Hello, later", text, StringComparison.Ordinal);
        Assert.Empty(host.Audit.Groups);
        var id = headers.GetValues("x-request-id").Single();
        var mine = host.Audit.Records.Where(r => r.Attributes.GetValueOrDefault("request_id") == id).Select(r => r.Type).ToArray();
        Assert.Equal(["chat.request", "chat.response"], mine);
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(1000, true)]
    public async Task Window_zero_and_streams_never_coalesce(int windowMs, bool stream)
    {
        await using var host = await GatewayHost.StartAsync(upstream, extraYaml: $"audit:\n  coalesceMs: {windowMs}");
        using var client = host.Client();
        var (status, _, _, text) = await Http.PostAsync(client, "v1/chat/completions", Http.Chat("up-chat", "hi", stream));
        Assert.True(status == 200, text);
        Assert.Empty(host.Audit.Groups);
        Assert.Contains(host.Audit.Records, r => r.Type == "chat.request");
        Assert.Contains(host.Audit.Records, r => r.Type == "chat.response");
    }

    [Theory]
    [InlineData("chat.request")]
    [InlineData("chat.response")]
    public async Task A_failed_combined_commit_withholds_the_answer_stores_neither_and_records_the_denial(string failing)
    {
        await using var host = await GatewayHost.StartAsync(upstream, extraYaml: WideWindow);
        host.Audit.FailLate[failing] = true;
        using var client = host.Client();
        var (status, body, headers, text) = await Http.PostAsync(client, "v1/chat/completions", Http.Chat("up-chat", "hi"));
        Assert.True(status == 503, text);
        Assert.Equal("audit_unavailable", Http.Code(body));
        Assert.DoesNotContain("Hello", text, StringComparison.Ordinal);
        Assert.False(headers.Contains("x-attest-ai-generated"));
        var id = headers.GetValues("x-request-id").Single();
        var mine = host.Audit.Records.Where(r => r.Attributes.GetValueOrDefault("request_id") == id).Select(r => r.Type).ToArray();
        Assert.Equal(["chat.denied"], mine);
    }

    [Fact]
    public async Task A_log_that_refuses_everything_still_gets_no_answer_out()
    {
        // Coalesced: chat.request is not appended before dispatch, so the provider is called (the documented
        // trade-off); the answer is withheld all the same.
        await using var host = await GatewayHost.StartAsync(upstream, extraYaml: WideWindow);
        host.Audit.Fail = true;
        using var client = host.Client();
        var (status, body, headers, text) = await Http.PostAsync(client, "v1/chat/completions", Http.Chat("up-chat", "hi"));
        Assert.Equal(503, status);
        Assert.Equal("audit_unavailable", Http.Code(body));
        Assert.DoesNotContain("Hello", text, StringComparison.Ordinal);
        Assert.False(headers.Contains("x-attest-ai-generated"));
    }

    [Fact]
    public async Task With_the_durable_log_a_coalesced_exchange_is_stored_consecutively_request_first()
    {
        await using var host = await GatewayHost.StartAsync(upstream, s =>
        {
            s.RemoveAll<IAuditLog>();
            s.AddSingleton<IAuditLog>(sp => sp.GetRequiredService<AuditLog>());
        }, WideWindow);
        using var client = host.Client();
        var ids = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            var (status, _, headers, text) = await Http.PostAsync(client, "v1/chat/completions", Http.Chat("up-chat", "hi " + i));
            Assert.True(status == 200, text);
            ids.Add(headers.GetValues("x-request-id").Single());
        }
        var events = new List<AuditEventView>();
        await foreach (var e in host.Services.GetRequiredService<IAuditReader>().QueryAsync(new AuditQuery { Tenant = "acme" })) events.Add(e);
        foreach (var id in ids)
        {
            var request = Assert.Single(events, e => e.Type == AuditEventTypes.ChatRequest && e.Attributes.GetValueOrDefault("request_id") == id);
            var response = Assert.Single(events, e => e.Type == AuditEventTypes.ChatResponse && e.Attributes.GetValueOrDefault("request_id") == id);
            Assert.Equal(request.Sequence + 1, response.Sequence);
        }
    }
}
