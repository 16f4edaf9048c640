namespace Attest.Storage.Retrieval;

/// <summary>
/// Schema of the permission-aware index: tenants (wrapped key and change version), documents (encrypted title and
/// source), ACL entries, chunks (encrypted text and vector, postings of keyed term hashes) and the change feed that
/// keeps every replica's in-memory index current.
/// </summary>
public sealed class RetrievalMigrations : IMigrationSource
{
    public IEnumerable<Migration> Migrations { get; } =
    [
        new("retrieval", 1, "retrieval index: tenants, documents, acl, chunks, changes",
            Sqlite: """
                CREATE TABLE retrieval_tenants (tenant TEXT NOT NULL PRIMARY KEY, version INTEGER NOT NULL DEFAULT 0, wrapped_key BLOB, created_at TEXT NOT NULL);
                CREATE TABLE retrieval_documents (tenant TEXT NOT NULL, connector TEXT NOT NULL, doc_id TEXT NOT NULL, classification TEXT NOT NULL,
                  content_mac TEXT NOT NULL, meta_ct BLOB NOT NULL, chunk_count INTEGER NOT NULL, updated_at TEXT NOT NULL,
                  PRIMARY KEY (tenant, connector, doc_id));
                CREATE TABLE retrieval_acl (tenant TEXT NOT NULL, connector TEXT NOT NULL, doc_id TEXT NOT NULL, effect TEXT NOT NULL, subject TEXT NOT NULL,
                  PRIMARY KEY (tenant, connector, doc_id, effect, subject));
                CREATE TABLE retrieval_chunks (tenant TEXT NOT NULL, connector TEXT NOT NULL, doc_id TEXT NOT NULL, ordinal INTEGER NOT NULL,
                  text_ct BLOB NOT NULL, postings BLOB NOT NULL, length INTEGER NOT NULL, vector_ct BLOB,
                  PRIMARY KEY (tenant, connector, doc_id, ordinal));
                CREATE TABLE retrieval_changes (tenant TEXT NOT NULL, version INTEGER NOT NULL, connector TEXT NOT NULL, doc_id TEXT NOT NULL,
                  PRIMARY KEY (tenant, version, connector, doc_id));
                """,
            Postgres: """
                CREATE TABLE retrieval_tenants (tenant TEXT NOT NULL PRIMARY KEY, version BIGINT NOT NULL DEFAULT 0, wrapped_key BYTEA, created_at TEXT NOT NULL);
                CREATE TABLE retrieval_documents (tenant TEXT NOT NULL, connector TEXT NOT NULL, doc_id TEXT NOT NULL, classification TEXT NOT NULL,
                  content_mac TEXT NOT NULL, meta_ct BYTEA NOT NULL, chunk_count INTEGER NOT NULL, updated_at TEXT NOT NULL,
                  PRIMARY KEY (tenant, connector, doc_id));
                CREATE TABLE retrieval_acl (tenant TEXT NOT NULL, connector TEXT NOT NULL, doc_id TEXT NOT NULL, effect TEXT NOT NULL, subject TEXT NOT NULL,
                  PRIMARY KEY (tenant, connector, doc_id, effect, subject));
                CREATE TABLE retrieval_chunks (tenant TEXT NOT NULL, connector TEXT NOT NULL, doc_id TEXT NOT NULL, ordinal INTEGER NOT NULL,
                  text_ct BYTEA NOT NULL, postings BYTEA NOT NULL, length INTEGER NOT NULL, vector_ct BYTEA,
                  PRIMARY KEY (tenant, connector, doc_id, ordinal));
                CREATE TABLE retrieval_changes (tenant TEXT NOT NULL, version BIGINT NOT NULL, connector TEXT NOT NULL, doc_id TEXT NOT NULL,
                  PRIMARY KEY (tenant, version, connector, doc_id));
                """),
    ];
}
