using System.Text;
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
}
