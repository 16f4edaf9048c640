using Attest.Agents.Approvals;
using Attest.Agents.Gate;
using Attest.Agents.Policy;
using Attest.Core.Identity;
using FsCheck;
using FsCheck.Fluent;

namespace Attest.Agents.Tests;

/// <summary>
/// Property: whatever sequence of invocations (with or without approval ids), approvals and denials by any
/// principal (including the requester's own key and non-approvers), and clock jumps happens, every execution of a
/// call that needs approval is matched one-to-one by a granted, used approval for exactly those arguments,
/// decided by an approver who is not the requester.
/// </summary>
public sealed class NoUnapprovedCallPropertyTests : IAsyncLifetime
{
    private AgentsHost _h = null!;

    public async Task InitializeAsync() => _h = await AgentsHost.StartAsync();
    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public void No_sequence_of_calls_runs_a_high_impact_call_without_a_matching_approval()
    {
        var gate = _h.Service<ToolGate>();
        var approvals = _h.Service<ApprovalService>();
        var store = _h.Service<IApprovalStore>();
        var agent = new RequestIdentity { Tenant = "acme", Agent = "biller", KeyId = "key-biller" };
        var amounts = new[] { 150, 250, 999 };
        var deciders = new ApproverIdentity[]
        {
            new("alice", "key-alice", null), new("bob", "key-bob", null), new("carol", "key-carol", null),
            new("root", "key-root", null), new(null, "key-biller", "biller"),
        };
        var ops = Gen.ArrayOf(Gen.Choose(0, 10_000));
        Prop.ForAll(ops.ToArbitrary(), seq =>
        {
            var ids = store.ListAsync(null, 1000).GetAwaiter().GetResult().Select(a => a.Id).ToList();
            foreach (var n in seq)
            {
                var args = $$"""{"amount":{{amounts[n / 7 % 2]}},"note":"n{{n / 14 % 2}}"}""";
                // Mostly the newest approvals, so grants and retries meet often enough to execute.
                string Pick() => ids[ids.Count - 1 - (n / 28 % Math.Min(3, ids.Count))];
                switch (n % 7)
                {
                    case 0 or 1:
                        var r = gate.InvokeAsync(agent, "billing_refund", args, null, default).GetAwaiter().GetResult();
                        if (r.ApprovalId is not null) ids.Add(r.ApprovalId);
                        break;
                    case 2:
                        if (ids.Count > 0) gate.InvokeAsync(agent, "billing_refund", args, Pick(), default).GetAwaiter().GetResult();
                        break;
                    case 3 or 4:
                        if (ids.Count > 0) approvals.ApproveAsync(Pick(), deciders[n % deciders.Length], "ok", default).GetAwaiter().GetResult();
                        break;
                    case 5:
                        if (ids.Count > 0) approvals.DenyAsync(Pick(), deciders[n % deciders.Length], "no", default).GetAwaiter().GetResult();
                        break;
                    default:
                        _h.Time.Advance(TimeSpan.FromMinutes(n % 11 == 0 ? 70 : n % 5));
                        break;
                }
            }
            var executed = _h.Fake.ToolBodies.Select(CanonicalJson.Hash).Order(StringComparer.Ordinal).ToList();
            var used = store.ListAsync(null, 1000).GetAwaiter().GetResult().Where(a => a.Used).ToList();
            return used.All(a => a.Approver is "alice" or "bob" && a.ApproverKey != a.RequesterKey)
                && executed.SequenceEqual(used.Select(a => a.ArgsHash).Order(StringComparer.Ordinal));
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(60));
        Assert.NotEmpty(_h.Fake.ToolBodies); // the property was exercised with real executions, not vacuously
    }
}
