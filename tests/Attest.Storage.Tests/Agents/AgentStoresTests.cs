using Attest.Agents.Approvals;
using Attest.Agents.BreakGlass;
using Attest.Agents.Messages;
using Attest.Storage.Agents;

namespace Attest.Storage.Tests.Agents;

public class AgentStoresTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);

    private static Approval Pending(string id, string hash = "h1") => new()
    {
        Id = id, Tenant = "acme", Agent = "a", Tool = "t", ArgsHash = hash, RequesterKey = "k", State = ApprovalStates.Pending,
        CreatedAt = T0, ExpiresAt = T0.AddHours(1), Arguments = "{}", Rule = "always",
    };

    [Theory]
    [MemberData(nameof(TestDatabases.Backends), MemberType = typeof(TestDatabases))]
    public async Task Approval_is_consumed_once_under_concurrency_and_only_for_its_binding(string backend)
    {
        await using var db = await TestDatabases.CreateAsync(backend);
        var store = new SqlApprovalStore(db);
        await store.CreateAsync(Pending("apr_1"));
        Assert.False(await store.ConsumeAsync("apr_1", "a", "t", "h1", "k", T0)); // still pending
        Assert.True(await store.DecideAsync("apr_1", ApprovalStates.Granted, "alice", "key-alice", "ok", T0));
        Assert.False(await store.DecideAsync("apr_1", ApprovalStates.Denied, "bob", null, "late", T0)); // not pending any more
        Assert.False(await store.ConsumeAsync("apr_1", "a", "t", "other-hash", "k", T0));
        Assert.False(await store.ConsumeAsync("apr_1", "a", "t", "h1", "another-key", T0));
        var wins = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => store.ConsumeAsync("apr_1", "a", "t", "h1", "k", T0.AddMinutes(1))));
        Assert.Equal(1, wins.Count(w => w));
        var a = await store.GetAsync("apr_1");
        Assert.True(a!.Used);
        Assert.Equal("alice", a.Approver);
        Assert.Equal(T0.AddMinutes(1), a.UsedAt);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Backends), MemberType = typeof(TestDatabases))]
    public async Task Expiry_applies_to_pending_and_granted_but_not_used(string backend)
    {
        await using var db = await TestDatabases.CreateAsync(backend);
        var store = new SqlApprovalStore(db);
        await store.CreateAsync(Pending("p"));
        await store.CreateAsync(Pending("g", "h2"));
        await store.CreateAsync(Pending("u", "h3"));
        await store.DecideAsync("g", ApprovalStates.Granted, "alice", null, "ok", T0);
        await store.DecideAsync("u", ApprovalStates.Granted, "alice", null, "ok", T0);
        Assert.True(await store.ConsumeAsync("u", "a", "t", "h3", "k", T0));
        Assert.Equal("g", (await store.FindLiveAsync("a", "t", "h2", "k", T0))?.Id);
        Assert.Empty(await store.ExpireDueAsync(T0.AddMinutes(59)));
        var expired = await store.ExpireDueAsync(T0.AddHours(1));
        Assert.Equal(["g", "p"], expired.Select(e => e.Id).Order(StringComparer.Ordinal));
        Assert.Empty(await store.ExpireDueAsync(T0.AddHours(2)));
        Assert.False(await store.ConsumeAsync("g", "a", "t", "h2", "k", T0.AddMinutes(30)));
        Assert.Null(await store.FindLiveAsync("a", "t", "h2", "k", T0));
        Assert.Equal(2, (await store.ListAsync(ApprovalStates.Expired, 10)).Count);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Backends), MemberType = typeof(TestDatabases))]
    public async Task Break_glass_sessions_end_once_and_messages_keep_order(string backend)
    {
        await using var db = await TestDatabases.CreateAsync(backend);
        var bg = new SqlBreakGlassStore(db);
        await bg.CreateAsync(new BreakGlassSession { Id = "bg1", Tenant = "acme", Principal = "root", Reason = "r", StartedAt = T0, ExpiresAt = T0.AddHours(1) });
        Assert.Single(await bg.OpenAsync());
        var ends = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => bg.EndAsync("bg1", T0.AddHours(1), "expired", null)));
        Assert.Equal(1, ends.Count(e => e));
        Assert.Empty(await bg.OpenAsync());
        Assert.Equal("expired", (await bg.GetAsync("bg1"))!.EndReason);

        var mail = new SqlAgentMessageStore(db);
        for (var i = 0; i < 3; i++)
            await mail.AddAsync(new AgentMessage { Id = $"m{i}", Tenant = "acme", From = "a", To = "b", Body = $$"""{"n":{{i}}}""", CreatedAt = T0 });
        Assert.Equal(["m0", "m1", "m2"], (await mail.ListAsync("b", null, 10)).Select(m => m.Id));
        Assert.Equal(["m2"], (await mail.ListAsync("b", "m1", 10)).Select(m => m.Id));
        Assert.Empty(await mail.ListAsync("a", null, 10));
    }
}
