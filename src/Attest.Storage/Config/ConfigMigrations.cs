namespace Attest.Storage.Config;

/// <summary>Schema of the config version history (component <c>config</c>).</summary>
public sealed class ConfigMigrations : IMigrationSource
{
    public IEnumerable<Migration> Migrations =>
    [
        new("config", 1, "config versions: every applied config text with hash, time and source",
            Sqlite: """
                CREATE TABLE config_versions (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    hash TEXT NOT NULL,
                    applied_at_ms INTEGER NOT NULL,
                    source TEXT NOT NULL,
                    note TEXT NOT NULL,
                    content TEXT NOT NULL);
                CREATE INDEX ix_config_versions_hash ON config_versions (hash);
                """,
            Postgres: """
                CREATE TABLE config_versions (
                    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    hash TEXT NOT NULL,
                    applied_at_ms BIGINT NOT NULL,
                    source TEXT NOT NULL,
                    note TEXT NOT NULL,
                    content TEXT NOT NULL);
                CREATE INDEX ix_config_versions_hash ON config_versions (hash text_pattern_ops);
                """),
    ];
}
