using Npgsql;

namespace Attest.Storage.Tests;

/// <summary>
/// Fresh databases for contract tests: a temporary SQLite file, or a new database on the real
/// PostgreSQL server that eng/test.sh starts (ATTEST_TEST_POSTGRES). Every contract test is a
/// theory over <see cref="Backends"/> so one suite runs on both.
/// </summary>
public static class TestDatabases
{
    public static string? PostgresConnectionString => Environment.GetEnvironmentVariable("ATTEST_TEST_POSTGRES");

    /// <summary>"sqlite" always; "postgres" when a server is available (eng/test.sh fails in CI when it is not).</summary>
    public static TheoryData<string> Backends
    {
        get
        {
            var d = new TheoryData<string> { "sqlite" };
            if (PostgresConnectionString is not null || Environment.GetEnvironmentVariable("ATTEST_REQUIRE_SERVERS") == "1") d.Add("postgres");
            return d;
        }
    }

    public static async Task<AttestDatabase> CreateAsync(string backend, bool migrate = true)
    {
        AttestDatabase db;
        if (backend == "sqlite")
        {
            var dir = Path.Combine(Path.GetTempPath(), "attest-tests", Guid.NewGuid().ToString("n"));
            db = new SqliteDatabase(Path.Combine(dir, "attest.db"));
        }
        else
        {
            var cs = PostgresConnectionString ?? throw new InvalidOperationException("ATTEST_TEST_POSTGRES is not set: run the tests through eng/test.sh");
            var name = "attest_" + Guid.NewGuid().ToString("n");
            await using (var admin = new NpgsqlConnection(cs))
            {
                await admin.OpenAsync();
                await using var cmd = admin.CreateCommand();
                cmd.CommandText = $"CREATE DATABASE {name}";
                await cmd.ExecuteNonQueryAsync();
            }
            db = new PostgresDatabase(new NpgsqlConnectionStringBuilder(cs) { Database = name }.ToString());
        }
        if (migrate) await MigrationRunner.ApplyAsync(db);
        return db;
    }
}
