using System.Text.Json;
using Attest.Core.Audit;

namespace Attest.Agents.Tests;

/// <summary>HTTP tools, messages and the error shape of the agent endpoints.</summary>
public sealed class HttpToolTests : IAsyncLifetime
{
    private AgentsHost _h = null!;

    public async Task InitializeAsync() => _h = await AgentsHost.StartAsync();
    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task Tool_credentials_reach_the_tool_but_never_the_agent_a_log_or_the_audit()
    {
        var (status, body) = await _h.PostAsync("k-biller", "/v1/tools/billing_refund/invoke", new { arguments = new { amount = 25, note = "late parcel" } });
        Assert.Equal(200, status);
        var raw = body.GetRawText();
        Assert.DoesNotContain(AgentsHost.ToolSecret, raw, StringComparison.Ordinal);
        Assert.Contains("[REDACTED:tool-credential]", raw, StringComparison.Ordinal); // the tool did get it, and echoed it
        Assert.Equal(25, body.GetProperty("result").GetProperty("received").GetProperty("amount").GetInt32());
        Assert.DoesNotContain(_h.Logs.Lines, l => l.Contains(AgentsHost.ToolSecret, StringComparison.Ordinal));
        Assert.NotEmpty(_h.Logs.Lines);
        Assert.DoesNotContain(_h.Audit.Records, r => JsonSerializer.Serialize(r).Contains(AgentsHost.ToolSecret, StringComparison.Ordinal));
    }

    [Fact]
    public async Task When_condition_and_maximum_decide_per_call()
    {
        var (small, _) = await _h.PostAsync("k-biller", "/v1/tools/billing_refund/invoke", new { arguments = new { amount = 100 } });
        Assert.Equal(200, small);
        var (large, lb) = await _h.PostAsync("k-biller", "/v1/tools/billing_refund/invoke", new { arguments = new { amount = 250 } });
        Assert.Equal(202, large);
        Assert.Equal("approval_required", lb.GetProperty("error").GetProperty("code").GetString());
        var (tooLarge, tb) = await _h.PostAsync("k-biller", "/v1/tools/billing_refund/invoke", new { arguments = new { amount = 5000 } });
        Assert.Equal(403, tooLarge);
        Assert.Equal("amount", tb.GetProperty("error").GetProperty("param").GetString());
        Assert.Single(_h.Fake.ToolBodies);
    }

    [Fact]
    public async Task Guards_block_injected_arguments_before_the_tool_is_called()
    {
        var (status, body) = await _h.PostAsync("k-biller", "/v1/tools/billing_refund/invoke", new { arguments = new { amount = 1, note = MarkerGuard.Marker } });
        Assert.Equal(403, status);
        Assert.Equal("guard_blocked", body.GetProperty("error").GetProperty("code").GetString());
        Assert.Empty(_h.Fake.ToolBodies);
    }

    [Fact]
    public async Task Audit_failure_denies_the_call()
    {
        _h.Audit.Fail = true;
        var (status, body) = await _h.PostAsync("k-biller", "/v1/tools/billing_refund/invoke", new { arguments = new { amount = 1 } });
        Assert.Equal(503, status);
        Assert.Equal("audit_unavailable", body.GetProperty("error").GetProperty("code").GetString());
        Assert.Empty(_h.Fake.ToolBodies);
    }

    [Fact]
    public async Task Client_errors_have_the_OpenAI_shape_and_stable_codes()
    {
        var (s1, b1) = await _h.PostAsync("nope", "/v1/tools/billing_refund/invoke", new { arguments = new { amount = 1 } });
        Assert.Equal(401, s1);
        Assert.Equal("invalid_api_key", b1.GetProperty("error").GetProperty("code").GetString());
        var (s2, b2) = await _h.PostAsync("k-alice", "/v1/tools/billing_refund/invoke", new { arguments = new { amount = 1 } });
        Assert.Equal(403, s2);
        Assert.Equal("agent_unknown", b2.GetProperty("error").GetProperty("code").GetString());
        using var req = new HttpRequestMessage(HttpMethod.Post, "/v1/tools/billing_refund/invoke") { Content = new StringContent("{not json", System.Text.Encoding.UTF8, "application/json") };
        req.Headers.Authorization = new("Bearer", "k-biller");
        using var resp = await _h.Http.SendAsync(req);
        Assert.Equal(400, (int)resp.StatusCode);
        var err = JsonDocument.Parse(await resp.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Equal("invalid_json", err.GetProperty("code").GetString());
        Assert.Equal("invalid_request_error", err.GetProperty("type").GetString());
        var (s3, b3) = await _h.PostAsync("k-biller", "/v1/tools/billing_refund/invoke", new { arguments = new { amount = "lots" } });
        Assert.Equal(400, s3);
        Assert.Equal("invalid_arguments", b3.GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task Without_a_key_authenticator_the_endpoints_answer_401()
    {
        await using var h = await AgentsHost.StartAsync(withAuthenticator: false);
        var (status, body) = await h.PostAsync("k-biller", "/v1/tools/billing_refund/invoke", new { arguments = new { amount = 1 } });
        Assert.Equal(401, status);
        Assert.Equal("invalid_api_key", body.GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task Messages_follow_canMessage_and_the_receivers_schema()
    {
        var (ok, okBody) = await _h.PostAsync("k-biller", "/v1/agents/filer/messages", new { task = "archive invoice 17" });
        Assert.Equal(201, ok);
        var (bad, badBody) = await _h.PostAsync("k-biller", "/v1/agents/filer/messages", new { task = 3 });
        Assert.Equal(400, bad);
        Assert.Equal("invalid_message", badBody.GetProperty("error").GetProperty("code").GetString());
        var (back, backBody) = await _h.PostAsync("k-filer", "/v1/agents/biller/messages", new { task = "hi" });
        Assert.Equal(403, back);
        Assert.Equal("message_not_allowed", backBody.GetProperty("error").GetProperty("code").GetString());
        var (read, inbox) = await _h.GetAsync("k-filer", "/v1/agents/filer/messages");
        Assert.Equal(200, read);
        var only = Assert.Single(inbox.GetProperty("data").EnumerateArray());
        Assert.Equal(okBody.GetProperty("id").GetString(), only.GetProperty("id").GetString());
        Assert.Equal("archive invoice 17", only.GetProperty("body").GetProperty("task").GetString());
        Assert.Equal(403, (await _h.GetAsync("k-biller", "/v1/agents/filer/messages")).Status);
        Assert.Equal(3, _h.Audit.OfType(AuditEventTypes.AgentMessage).Count);
    }
}
