using Dapper;

namespace Attest.Storage;

/// <summary>One schema step of one component, in both dialects.</summary>
/// <param name="Component">Owner of the tables, e.g. <c>audit</c>, <c>keys</c>.</param>
/// <param name="Version">Increasing per component, from 1.</param>
public sealed record Migration(string Component, int Version, string Description, string Sqlite, string Postgres);

/// <summary>
/// Supplies a component's migrations. Every non-abstract implementation in this assembly is
/// discovered, so a store adds its schema without touching a shared list.
/// </summary>
public interface IMigrationSource
{
    IEnumerable<Migration> Migrations { get; }
}

/// <summary>Applies pending migrations at start, on both dialects, idempotently and safely when several replicas start at once.</summary>
public static class MigrationRunner
{
    public static IReadOnlyList<Migration> All { get; } = Discover();

    private static List<Migration> Discover() =>
        [.. typeof(MigrationRunner).Assembly.GetTypes()
            .Where(t => t is { IsAbstract: false, IsInterface: false } && typeof(IMigrationSource).IsAssignableFrom(t))
            .Select(t => (IMigrationSource)Activator.CreateInstance(t)!)
            .SelectMany(s => s.Migrations)
            .OrderBy(m => m.Component, StringComparer.Ordinal).ThenBy(m => m.Version)];

    /// <summary>Applies every pending migration; returns how many ran.</summary>
    public static async Task<int> ApplyAsync(AttestDatabase db, CancellationToken cancellationToken = default)
    {
        await using var c = await db.OpenAsync(cancellationToken);
        int applied = 0;
        await using var tx = await c.BeginTransactionAsync(cancellationToken);
        if (db.Kind == DatabaseKind.Postgres)
        {
            // One replica migrates at a time; the others wait and then find nothing to do. The lock is taken
            // before creating the bookkeeping table too: concurrent CREATE TABLE IF NOT EXISTS races in PostgreSQL.
            await c.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_xact_lock(7428190001)", transaction: tx, cancellationToken: cancellationToken));
        }
        await c.ExecuteAsync(new CommandDefinition(
            "CREATE TABLE IF NOT EXISTS attest_migrations (component TEXT NOT NULL, version INTEGER NOT NULL, description TEXT NOT NULL, PRIMARY KEY (component, version))",
            transaction: tx, cancellationToken: cancellationToken));
        var done = (await c.QueryAsync<(string, long)>(new CommandDefinition(
            "SELECT component, version FROM attest_migrations", transaction: tx, cancellationToken: cancellationToken)))
            .Select(r => (r.Item1, (int)r.Item2)).ToHashSet();
        foreach (var m in All)
        {
            if (done.Contains((m.Component, m.Version))) continue;
            await c.ExecuteAsync(new CommandDefinition(db.Sql(m.Sqlite, m.Postgres), transaction: tx, cancellationToken: cancellationToken));
            await c.ExecuteAsync(new CommandDefinition(
                "INSERT INTO attest_migrations (component, version, description) VALUES (@c, @v, @d)",
                new { c = m.Component, v = m.Version, d = m.Description }, tx, cancellationToken: cancellationToken));
            applied++;
        }
        await tx.CommitAsync(cancellationToken);
        return applied;
    }
}
