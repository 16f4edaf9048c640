using Attest.Core.Audit;

namespace Attest.Agents.Tests;

public sealed class BreakGlassTests : IAsyncLifetime
{
    private AgentsHost _h = null!;

    public async Task InitializeAsync() => _h = await AgentsHost.StartAsync();
    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task Break_glass_bypasses_approval_only_while_active_and_expires_by_the_clock()
    {
        Assert.Equal(403, (await _h.PostAsync("k-alice", "/admin/breakglass", new { action = "start", reason = "outage", duration = "1h" })).Status);
        var (tooLong, tl) = await _h.PostAsync("k-root", "/admin/breakglass", new { action = "start", reason = "outage", duration = "5h" });
        Assert.Equal(400, tooLong);
        Assert.Equal("invalid_duration", tl.GetProperty("error").GetProperty("code").GetString());

        var (started, session) = await _h.PostAsync("k-root", "/admin/breakglass", new { action = "start", reason = "billing outage INC-7", duration = "1h", agent = "biller" });
        Assert.Equal(200, started);
        var id = session.GetProperty("id").GetString();

        var (during, db) = await _h.PostAsync("k-biller", "/v1/tools/billing_refund/invoke", new { arguments = new { amount = 500 } });
        Assert.Equal(200, during);
        Assert.Equal(id, db.GetProperty("breakglass").GetString());
        var call = Assert.Single(_h.Audit.OfType(AuditEventTypes.ToolCall));
        Assert.Equal(id, call.Attributes["breakglass"]);
        Assert.Equal("breakglass", call.Attributes["approval_bypass"]);

        _h.Time.Advance(TimeSpan.FromMinutes(61));
        var (after, ab) = await _h.PostAsync("k-biller", "/v1/tools/billing_refund/invoke", new { arguments = new { amount = 500 } });
        Assert.Equal(202, after);
        Assert.Equal("approval_required", ab.GetProperty("error").GetProperty("code").GetString());

        var ended = Assert.Single(_h.Audit.OfType(AuditEventTypes.BreakGlassEnded));
        Assert.Equal("expired", ended.Attributes["event"]);
        Assert.Equal("sent", ended.Attributes["alert"]);
        Assert.Single(_h.Audit.OfType(AuditEventTypes.BreakGlassStarted));
        Assert.Equal(2, _h.Fake.Alerts.Count);
        Assert.Single(_h.Fake.ToolBodies);
    }

    [Fact]
    public async Task Ending_early_is_recorded_and_a_failed_alert_is_recorded_too()
    {
        _h.Fake.FailAlerts = true;
        var (started, _) = await _h.PostAsync("k-root", "/admin/breakglass", new { action = "start", reason = "drill", duration = "30m" });
        Assert.Equal(200, started);
        Assert.StartsWith("failed:", Assert.Single(_h.Audit.OfType(AuditEventTypes.BreakGlassStarted)).Attributes["alert"]);
        Assert.Equal(200, (await _h.PostAsync("k-root", "/admin/breakglass", new { action = "end" })).Status);
        Assert.Equal("ended", Assert.Single(_h.Audit.OfType(AuditEventTypes.BreakGlassEnded)).Attributes["event"]);
        var (again, body) = await _h.PostAsync("k-root", "/admin/breakglass", new { action = "end" });
        Assert.Equal(404, again);
        Assert.Equal("breakglass_not_active", body.GetProperty("error").GetProperty("code").GetString());
    }
}
