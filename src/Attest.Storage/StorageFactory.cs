using Attest.Core.Config;

namespace Attest.Storage;

/// <summary>Creates the database a config names and brings its schema up to date.</summary>
public static class StorageFactory
{
    /// <summary>Environment variable that overrides the PostgreSQL connection string (handy for containers).</summary>
    public const string PostgresEnvironmentVariable = "ATTEST_POSTGRES";

    public static AttestDatabase Create(PolicySnapshot policy)
    {
        var storage = policy.Config.Server.Storage;
        var dataDir = DataDirectory(policy);
        switch (storage.Kind)
        {
            case "sqlite":
                var path = storage.Path is { Length: > 0 } p ? (Path.IsPathRooted(p) ? p : Path.Combine(policy.BaseDirectory, p)) : Path.Combine(dataDir, "attest.db");
                return new SqliteDatabase(path);
            case "postgres":
                var cs = policy.ResolveSecret(storage.ConnectionString) ?? Environment.GetEnvironmentVariable(PostgresEnvironmentVariable);
                if (string.IsNullOrWhiteSpace(cs))
                    throw new InvalidOperationException($"storage kind 'postgres' needs server.storage.connectionString (env or file) or {PostgresEnvironmentVariable}");
                return new PostgresDatabase(cs);
            default:
                throw new InvalidOperationException($"unknown storage kind '{storage.Kind}' (use sqlite or postgres)");
        }
    }

    public static string DataDirectory(PolicySnapshot policy)
    {
        var d = policy.Config.Server.DataDir;
        return Path.IsPathRooted(d) ? d : Path.Combine(policy.BaseDirectory, d);
    }

    public static async Task<AttestDatabase> CreateAndMigrateAsync(PolicySnapshot policy, CancellationToken cancellationToken = default)
    {
        var db = Create(policy);
        await MigrationRunner.ApplyAsync(db, cancellationToken);
        return db;
    }
}
