using Attest.Agents.Approvals;
using Attest.Agents.BreakGlass;
using Attest.Agents.Execution;
using Attest.Agents.Gate;
using Attest.Core.Audit;
using Attest.Core.Config;
using Attest.Core.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Attest.Agents.Tests;

public sealed class ApprovalWaitTests : IAsyncLifetime
{
    private AgentsHost _h = null!;

    public async Task InitializeAsync() => _h = await AgentsHost.StartAsync();
    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task Caller_waits_up_to_waitTimeout_and_proceeds_when_granted_meanwhile()
    {
        var current = _h.Service<IPolicySource>().Current;
        var policy = new StaticPolicySource(new PolicySnapshot(current.Config with { Approvals = current.Config.Approvals with { WaitTimeout = "20s" } },
            current.ContentHash, current.SourcePath, current.BaseDirectory));
        var sp = _h.App.Services;
        var store = sp.GetRequiredService<IApprovalStore>();
        var approvals = new ApprovalService(store, policy, _h.Audit, _h.Time);
        var gate = new ToolGate(policy, store, approvals, new BreakGlassService(sp.GetRequiredService<IBreakGlassStore>(), policy, _h.Audit, _h.Time),
            sp.GetRequiredService<ToolInvoker>(), _h.Audit, _h.Time, sp.GetRequiredService<ILogger<ToolGate>>());
        var agent = new RequestIdentity { Tenant = "acme", Agent = "biller", KeyId = "key-biller" };

        var call = gate.InvokeAsync(agent, "billing_refund", """{"amount":400}""", null, default);
        Approval? pending = null;
        for (var i = 0; i < 100 && pending is null; i++)
        {
            var list = await store.ListAsync(ApprovalStates.Pending, 10);
            pending = list.Count > 0 ? list[0] : null;
            if (pending is null) await Task.Delay(50);
        }
        Assert.NotNull(pending);
        Assert.False(call.IsCompleted);
        Assert.True((await approvals.ApproveAsync(pending.Id, new ApproverIdentity("bob", "key-bob", null), "ok", default)).Ok);
        var outcome = await call.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(GateStatus.Completed, outcome.Status);
        Assert.Equal(pending.Id, outcome.ApprovalId);
        Assert.Single(_h.Fake.ToolBodies);
        Assert.Single(_h.Audit.OfType(AuditEventTypes.ApprovalUsed));
    }
}
