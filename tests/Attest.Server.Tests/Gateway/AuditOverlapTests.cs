using Attest.Audit.Log;
using Attest.Core.Audit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Attest.Server.Tests.Gateway;

/// <summary>
/// chat.request is committed while the upstream call runs (not before it), yet nothing reaches the client before the
/// events it depends on are durable, and an append that fails late — after dispatch — still withholds the answer.
/// </summary>
public sealed class AuditOverlapTests(FakeUpstream upstream) : IClassFixture<FakeUpstream>
{
    [Fact]
    public async Task A_buffered_answer_is_released_only_after_request_and_response_events_are_durable()
    {
        await using var host = await GatewayHost.StartAsync(upstream);
        host.Audit.Latency = TimeSpan.FromMilliseconds(80);
        using var client = host.Client();
        var (status, body, headers, text) = await Http.PostAsync(client, "v1/chat/completions", Http.Chat("up-chat", "hi"));
        Assert.True(status == 200, text);
        Assert.NotNull(body!["choices"]);
        var id = headers.GetValues("x-request-id").Single();
        // The test log adds an event only once its (slow) commit is over: both are there when the client has the answer.
        Assert.Contains(host.Audit.Records, r => r.Type == "chat.request" && r.Attributes["request_id"] == id);
        Assert.Contains(host.Audit.Records, r => r.Type == "chat.response" && r.Attributes["request_id"] == id);
    }

    [Fact]
    public async Task A_stream_starts_only_after_the_request_event_is_durable()
    {
        await using var host = await GatewayHost.StartAsync(upstream);
        host.Audit.Latency = TimeSpan.FromMilliseconds(80);
        using var client = host.Client();
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = Http.Json(Http.Chat("up-chat", "hi", stream: true)) };
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(200, (int)response.StatusCode);
        var id = response.Headers.GetValues("x-request-id").Single();
        Assert.Contains(host.Audit.Records, r => r.Type == "chat.request" && r.Attributes["request_id"] == id);
        var events = Http.Events(await response.Content.ReadAsStringAsync());
        Assert.Equal("[DONE]", events[^1]);
        Assert.Contains(host.Audit.Records, r => r.Type == "chat.response" && r.Attributes["request_id"] == id);
    }

    [Fact]
    public async Task With_the_durable_log_every_answered_request_has_its_request_event_sequenced_before_its_response()
    {
        // The real audit log (SQLite, group commit) instead of the recording double.
        await using var host = await GatewayHost.StartAsync(upstream, s =>
        {
            s.RemoveAll<IAuditLog>();
            s.AddSingleton<IAuditLog>(sp => sp.GetRequiredService<AuditLog>());
        });
        using var client = host.Client();
        var answered = await Task.WhenAll(Enumerable.Range(0, 24).Select(async i =>
        {
            var (status, _, headers, text) = await Http.PostAsync(client, "v1/chat/completions", Http.Chat("up-chat", "hi " + i, stream: i % 2 == 1));
            Assert.True(status == 200, text);
            return headers.GetValues("x-request-id").Single();
        }));
        var events = new List<AuditEventView>();
        await foreach (var e in host.Services.GetRequiredService<IAuditReader>().QueryAsync(new AuditQuery { Tenant = "acme" })) events.Add(e);
        foreach (var id in answered)
        {
            var request = Assert.Single(events, e => e.Type == AuditEventTypes.ChatRequest && e.Attributes.GetValueOrDefault("request_id") == id);
            var response = Assert.Single(events, e => e.Type == AuditEventTypes.ChatResponse && e.Attributes.GetValueOrDefault("request_id") == id);
            Assert.True(request.Sequence < response.Sequence, $"{id}: request {request.Sequence}, response {response.Sequence}");
        }
    }

    [Theory]
    [InlineData("chat.request", false)]
    [InlineData("chat.response", false)]
    [InlineData("chat.request", true)]
    public async Task An_event_that_fails_to_commit_after_dispatch_withholds_the_answer_and_the_denial_is_recorded(string failing, bool stream)
    {
        await using var host = await GatewayHost.StartAsync(upstream);
        host.Audit.Latency = TimeSpan.FromMilliseconds(20);
        host.Audit.FailLate[failing] = true;
        using var client = host.Client();
        var before = upstream.HitCount("openai");
        var (status, body, headers, text) = await Http.PostAsync(client, "v1/chat/completions", Http.Chat("up-chat", "hi", stream));
        Assert.True(status == 503, text);
        Assert.Equal("audit_unavailable", Http.Code(body));
        Assert.DoesNotContain("Hello", text, StringComparison.Ordinal);
        Assert.DoesNotContain("data:", text, StringComparison.Ordinal);
        Assert.False(headers.Contains("x-attest-ai-generated"));
        // The append failed only after the request had gone upstream: the answer came back and was withheld.
        Assert.Equal(before + 1, upstream.HitCount("openai"));
        var id = headers.GetValues("x-request-id").Single();
        Assert.DoesNotContain(host.Audit.Records, r => r.Type == failing && r.Attributes["request_id"] == id);
        var denied = Assert.Single(host.Audit.Records, r => r.Type == "chat.denied" && r.Attributes["request_id"] == id);
        Assert.Equal("audit_unavailable", denied.Attributes["code"]);
        Assert.Equal("503", denied.Attributes["status"]);
    }
}
