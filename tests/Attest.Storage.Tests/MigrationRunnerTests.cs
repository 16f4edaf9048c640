using Dapper;

namespace Attest.Storage.Tests;

public class MigrationRunnerTests
{
    [Theory]
    [MemberData(nameof(TestDatabases.Backends), MemberType = typeof(TestDatabases))]
    public async Task Apply_twice_is_idempotent_and_records_every_migration(string backend)
    {
        await using var db = await TestDatabases.CreateAsync(backend, migrate: false);
        var first = await MigrationRunner.ApplyAsync(db);
        var second = await MigrationRunner.ApplyAsync(db);
        Assert.Equal(MigrationRunner.All.Count, first);
        Assert.Equal(0, second);
        await using var c = await db.OpenAsync();
        var recorded = await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM attest_migrations");
        Assert.Equal(MigrationRunner.All.Count, recorded);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Backends), MemberType = typeof(TestDatabases))]
    public async Task Concurrent_starts_apply_each_migration_once(string backend)
    {
        await using var db = await TestDatabases.CreateAsync(backend, migrate: false);
        if (backend == "sqlite") await MigrationRunner.ApplyAsync(db); // SQLite has one writer: replicas do not share it.
        var runs = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => MigrationRunner.ApplyAsync(db)));
        Assert.True(runs.Sum() <= MigrationRunner.All.Count);
        Assert.True(await db.PingAsync());
    }

    [Fact]
    public void Migrations_have_unique_increasing_versions_per_component()
    {
        foreach (var g in MigrationRunner.All.GroupBy(m => m.Component))
        {
            var versions = g.Select(m => m.Version).ToList();
            Assert.Equal(Enumerable.Range(1, versions.Count), versions);
        }
    }
}
