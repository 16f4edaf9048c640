using System.Text;
using Attest.Core.Guards;
using Attest.Core.Time;
using Attest.Guards.Redaction;

namespace Attest.Guards.Tests;

public class PseudonymStoreTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);

    private static Func<int, (string, byte[])> Maker(string label, string value) => n => ($"<{label}_{n}>", Encoding.UTF8.GetBytes(value));

    [Fact]
    public void InMemoryStoreBindsOncePerValueAndPurgesExpiredConversations()
    {
        var store = new InMemoryPseudonymStore();
        Assert.Equal("<EMAIL_1>", store.GetOrAdd("s1", "a", "EMAIL", Maker("EMAIL", "a"), T0.AddMinutes(5)));
        Assert.Equal("<EMAIL_2>", store.GetOrAdd("s1", "b", "EMAIL", Maker("EMAIL", "b"), T0.AddMinutes(5)));
        Assert.Equal("<EMAIL_1>", store.GetOrAdd("s1", "a", "EMAIL", _ => throw new InvalidOperationException("bound already"), T0.AddMinutes(5)));
        Assert.Equal("<EMAIL_1>", store.GetOrAdd("s2", "c", "EMAIL", Maker("EMAIL", "c"), T0.AddHours(1)));
        Assert.Equal("b", Encoding.UTF8.GetString(store.Find("s1", "<EMAIL_2>", T0)!));

        Assert.Equal(2, store.Purge(T0.AddMinutes(10)));
        Assert.Equal(0, store.Purge(T0.AddMinutes(10)));
        Assert.Null(store.Find("s1", "<EMAIL_1>", T0));
        Assert.NotNull(store.Find("s2", "<EMAIL_1>", T0.AddMinutes(10)));
    }

    [Fact]
    public async Task InMemoryStoreAgreesUnderConcurrency()
    {
        var store = new InMemoryPseudonymStore();
        var results = await Task.WhenAll(Enumerable.Range(0, 64).Select(i => Task.Run(() => (v: i % 8, p: store.GetOrAdd("s", $"d{i % 8}", "PHONE", Maker("PHONE", $"v{i % 8}"), T0.AddHours(1))))));
        var perValue = results.GroupBy(r => r.v).Select(g => g.Select(r => r.p).Distinct().Single()).ToList();
        Assert.Equal(8, perValue.Distinct().Count());
    }

    private sealed class BrokenStore : IPseudonymStore
    {
        public string GetOrAdd(string scopeId, string valueDigest, string label, Func<int, (string Placeholder, byte[] Sealed)> create, DateTimeOffset expires) =>
            throw new InvalidOperationException("database unavailable");
        public byte[]? Find(string scopeId, string placeholder, DateTimeOffset now) => throw new InvalidOperationException("database unavailable");
        public int Purge(DateTimeOffset now) => throw new InvalidOperationException("database unavailable");
    }

    [Fact]
    public async Task AStoreThatFailsWhileRedactingBlocksTheTextInsteadOfPassingPiiOn()
    {
        var yaml = """
            version: 1
            tenants: [{ id: acme }]
            guards: [{ id: g, redactionMode: pseudonymize }]
            """;
        var vault = new PseudonymVault(new byte[32], new BrokenStore(), new ManualTimeProvider(T0));
        var p = TestPipelines.Default(yaml, vault: vault);
        var verdict = await p.EvaluateAsync("mail jane@example.com", TestPipelines.Ctx(GuardDirection.Input, conversation: "c1"));
        Assert.Equal(GuardAction.Block, verdict.Action);
        Assert.True(verdict.Faulted);
        Assert.DoesNotContain("jane", verdict.Text, StringComparison.Ordinal);
        // Text without PII never needs the store.
        Assert.Equal(GuardAction.Allow, (await p.EvaluateAsync("what is 2+2?", TestPipelines.Ctx(GuardDirection.Input, conversation: "c1"))).Action);
    }

    private sealed class CountingStore : IPseudonymStore
    {
        private readonly InMemoryPseudonymStore _inner = new();
        public int Finds;
        public string GetOrAdd(string scopeId, string valueDigest, string label, Func<int, (string Placeholder, byte[] Sealed)> create, DateTimeOffset expires) =>
            _inner.GetOrAdd(scopeId, valueDigest, label, create, expires);
        public byte[]? Find(string scopeId, string placeholder, DateTimeOffset now) { Interlocked.Increment(ref Finds); return _inner.Find(scopeId, placeholder, now); }
        public int Purge(DateTimeOffset now) => _inner.Purge(now);
    }

    [Fact]
    public void RestoreLooksUpEachDistinctPlaceholderOnce()
    {
        var store = new CountingStore();
        var vault = new PseudonymVault(new byte[32], store, new ManualTimeProvider(T0));
        Assert.Equal("<EMAIL_1>", vault.Pseudonymize("s", "EMAIL", "jane@example.com"));
        Assert.Equal("jane@example.com, jane@example.com and <EMAIL_9> or jane@example.com",
            vault.Restore("s", "<EMAIL_1>, <EMAIL_1> and <EMAIL_9> or <EMAIL_1>"));
        Assert.Equal(2, store.Finds);
    }

    [Fact]
    public void WithAClockAnExpiredConversationStartsAfresh()
    {
        var clock = new ManualTimeProvider(T0);
        var store = new InMemoryPseudonymStore(clock);
        Assert.Equal("<EMAIL_1>", store.GetOrAdd("s", "old", "EMAIL", Maker("EMAIL", "old"), T0.AddMinutes(5)));
        clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal("<EMAIL_1>", store.GetOrAdd("s", "new", "EMAIL", Maker("EMAIL", "new"), clock.GetUtcNow().AddMinutes(5)));
        Assert.Equal("new", Encoding.UTF8.GetString(store.Find("s", "<EMAIL_1>", clock.GetUtcNow())!));
    }
}
