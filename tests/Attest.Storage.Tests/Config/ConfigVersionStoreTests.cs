using Attest.Core.Config;
using Attest.Core.Time;
using Attest.Storage.Config;

namespace Attest.Storage.Tests.Config;

public class ConfigVersionStoreTests
{
    [Theory]
    [MemberData(nameof(TestDatabases.Backends), MemberType = typeof(TestDatabases))]
    public async Task Records_each_change_with_hash_time_source_and_text(string backend)
    {
        await using var db = await TestDatabases.CreateAsync(backend);
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 11, 21, 10, 0, 0, TimeSpan.Zero));
        var store = new ConfigVersionStore(db, clock);
        var first = await store.RecordAsync("version: 1\n", "/etc/attest.yaml", "start");
        Assert.NotNull(first);
        Assert.Null(await store.RecordAsync("version: 1\n", "/etc/attest.yaml", "start")); // unchanged: not recorded again
        clock.Advance(TimeSpan.FromMinutes(5));
        var second = await store.RecordAsync("version: 1\ntenants: []\n", "/etc/attest.yaml", "reload");
        Assert.NotNull(second);
        var all = await store.ListAsync();
        Assert.Equal([second!.Sequence, first!.Sequence], all.Select(v => v.Sequence));
        Assert.Equal(ConfigLoader.Hash("version: 1\ntenants: []\n"), all[0].Hash);
        Assert.Equal(clock.GetUtcNow(), all[0].AppliedAt);
        Assert.Equal("reload", all[0].Note);
        Assert.Equal("version: 1\n", all[1].Content);
        Assert.Equal("/etc/attest.yaml", all[1].Source);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Backends), MemberType = typeof(TestDatabases))]
    public async Task Rollback_to_an_earlier_text_is_a_new_entry(string backend)
    {
        await using var db = await TestDatabases.CreateAsync(backend);
        var store = new ConfigVersionStore(db, TimeProvider.System);
        await store.RecordAsync("a: 1\n", "f", "start");
        await store.RecordAsync("a: 2\n", "f", "reload");
        var back = await store.RecordAsync("a: 1\n", "f", "rollback");
        Assert.NotNull(back);
        Assert.Equal(3, (await store.ListAsync()).Count);
        Assert.Equal("a: 1\n", (await store.LatestAsync())!.Content);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Backends), MemberType = typeof(TestDatabases))]
    public async Task Finds_by_hash_prefix_or_sequence_and_reports_ambiguity(string backend)
    {
        await using var db = await TestDatabases.CreateAsync(backend);
        var store = new ConfigVersionStore(db, TimeProvider.System);
        var texts = Enumerable.Range(0, 40).Select(i => $"n: {i}\n").ToList();
        foreach (var t in texts) await store.RecordAsync(t, "f", "reload");
        var hash = ConfigLoader.Hash(texts[7]);
        var found = await store.FindAsync(hash[..10].ToUpperInvariant());
        Assert.Equal(texts[7], found.Version!.Content);
        Assert.Equal(texts[7], (await store.FindAsync("#" + found.Version.Sequence)).Version!.Content);
        Assert.Null((await store.FindAsync("zz12")).Version);
        Assert.Null((await store.FindAsync("ab")).Version); // too short to be a reference
        // Two texts whose hashes share the first 4 hex digits: that prefix is ambiguous, a longer one is not.
        var seen = new Dictionary<string, string>();
        (string, string) pair = ("", "");
        for (int i = 0; pair.Item1.Length == 0; i++)
        {
            var t = $"collide: {i}\n";
            var p = ConfigLoader.Hash(t)[..4];
            if (seen.TryGetValue(p, out var other)) pair = (other, t); else seen[p] = t;
        }
        await store.RecordAsync(pair.Item1, "f", "reload");
        await store.RecordAsync(pair.Item2, "f", "reload");
        var ambiguous = await store.FindAsync(ConfigLoader.Hash(pair.Item1)[..4]);
        Assert.True(ambiguous.IsAmbiguous);
        Assert.Equal(2, ambiguous.Candidates.Count);
        Assert.Equal(pair.Item2, (await store.FindAsync(ConfigLoader.Hash(pair.Item2)[..16])).Version!.Content);
        Assert.Null((await store.FindAsync("#999999")).Version);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Backends), MemberType = typeof(TestDatabases))]
    public async Task Concurrent_recorders_of_the_same_change_record_it_once(string backend)
    {
        await using var db = await TestDatabases.CreateAsync(backend);
        var stores = Enumerable.Range(0, 4).Select(_ => new ConfigVersionStore(db, TimeProvider.System)).ToList();
        var results = await Task.WhenAll(stores.Select(s => s.RecordAsync("same: true\n", "f", "start")));
        Assert.Single(results, r => r is not null);
        Assert.Single(await stores[0].ListAsync(), v => v.Content == "same: true\n");
    }
}
