namespace Attest.Storage.Audit;

/// <summary>Schema of the tamper-evident audit log: entries, checkpoints, the tail and subject keys.</summary>
internal sealed class AuditMigrations : IMigrationSource
{
    public IEnumerable<Migration> Migrations =>
    [
        new("audit", 1, "audit entries, checkpoints, tail, subject keys",
            """
            CREATE TABLE audit_entries (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, time_ms INTEGER NOT NULL, type TEXT NOT NULL,
              tenant TEXT NOT NULL, actor_key TEXT, actor_principal TEXT, actor_agent TEXT, actor_user TEXT, actor_admin TEXT,
              subject TEXT, data_class TEXT NOT NULL, canonical BLOB NOT NULL, leaf BLOB NOT NULL, chain BLOB NOT NULL, payload BLOB);
            CREATE INDEX ix_audit_entries_tenant_time ON audit_entries (tenant, time_ms);
            CREATE INDEX ix_audit_entries_type ON audit_entries (type);
            CREATE INDEX ix_audit_entries_class_time ON audit_entries (data_class, time_ms);
            CREATE TABLE audit_checkpoints (size INTEGER PRIMARY KEY, root BLOB NOT NULL, time_ms INTEGER NOT NULL, key_id TEXT NOT NULL, note TEXT NOT NULL);
            CREATE TABLE audit_state (id INTEGER PRIMARY KEY, size INTEGER NOT NULL, chain BLOB NOT NULL, frontier BLOB NOT NULL, last_checkpoint INTEGER NOT NULL);
            INSERT INTO audit_state (id, size, chain, frontier, last_checkpoint) VALUES (1, 0, zeroblob(32), x'', 0);
            CREATE TABLE audit_subject_keys (key_id TEXT PRIMARY KEY, subject TEXT NOT NULL, wrapped BLOB, created_ms INTEGER NOT NULL, forgotten_ms INTEGER);
            CREATE UNIQUE INDEX ux_audit_subject_live ON audit_subject_keys (subject) WHERE forgotten_ms IS NULL;
            """,
            """
            CREATE TABLE audit_entries (seq BIGINT PRIMARY KEY, id TEXT NOT NULL UNIQUE, time_ms BIGINT NOT NULL, type TEXT NOT NULL,
              tenant TEXT NOT NULL, actor_key TEXT, actor_principal TEXT, actor_agent TEXT, actor_user TEXT, actor_admin TEXT,
              subject TEXT, data_class TEXT NOT NULL, canonical BYTEA NOT NULL, leaf BYTEA NOT NULL, chain BYTEA NOT NULL, payload BYTEA);
            CREATE INDEX ix_audit_entries_tenant_time ON audit_entries (tenant, time_ms);
            CREATE INDEX ix_audit_entries_type ON audit_entries (type);
            CREATE INDEX ix_audit_entries_class_time ON audit_entries (data_class, time_ms);
            CREATE TABLE audit_checkpoints (size BIGINT PRIMARY KEY, root BYTEA NOT NULL, time_ms BIGINT NOT NULL, key_id TEXT NOT NULL, note TEXT NOT NULL);
            CREATE TABLE audit_state (id INTEGER PRIMARY KEY, size BIGINT NOT NULL, chain BYTEA NOT NULL, frontier BYTEA NOT NULL, last_checkpoint BIGINT NOT NULL);
            INSERT INTO audit_state (id, size, chain, frontier, last_checkpoint) VALUES (1, 0, decode(repeat('00', 32), 'hex'), ''::bytea, 0);
            CREATE TABLE audit_subject_keys (key_id TEXT PRIMARY KEY, subject TEXT NOT NULL, wrapped BYTEA, created_ms BIGINT NOT NULL, forgotten_ms BIGINT);
            CREATE UNIQUE INDEX ux_audit_subject_live ON audit_subject_keys (subject) WHERE forgotten_ms IS NULL;
            """),
        // PostgreSQL: one B-tree fewer written per appended row. The retention purge's (data_class,
        // time_ms) B-tree becomes a BRIN index on time_ms (time follows seq, so a few bytes per 128
        // pages; it also serves time-range queries without a tenant). SQLite keeps its index.
        new("audit", 2, "audit entries: BRIN time index instead of the (data_class, time) B-tree on PostgreSQL",
            "SELECT 1",
            """
            DROP INDEX IF EXISTS ix_audit_entries_class_time;
            CREATE INDEX ix_audit_entries_time_brin ON audit_entries USING brin (time_ms) WITH (autosummarize = on);
            """),
    ];
}
