namespace Attest.Storage.Guards;

/// <summary>
/// Schema of the guards' durable state: reversible pseudonym bindings per conversation. Only keyed digests
/// (scope, value), the placeholder and the AES-GCM ciphertext are stored — never a value or a conversation id.
/// Times are Unix milliseconds (UTC).
/// </summary>
public sealed class GuardsMigrations : IMigrationSource
{
    private const string Table = """
        CREATE TABLE guard_pseudonyms (
            scope_id TEXT NOT NULL,
            value_digest TEXT NOT NULL,
            label TEXT NOT NULL,
            placeholder TEXT NOT NULL,
            sealed {BLOB} NOT NULL,
            expires_at BIGINT NOT NULL,
            PRIMARY KEY (scope_id, value_digest),
            UNIQUE (scope_id, placeholder)
        );
        CREATE INDEX ix_guard_pseudonyms_expires ON guard_pseudonyms (expires_at);
        """;

    public IEnumerable<Migration> Migrations =>
    [
        new("guards", 1, "pseudonym bindings (digests and ciphertext only)",
            Table.Replace("{BLOB}", "BLOB", StringComparison.Ordinal),
            Table.Replace("{BLOB}", "BYTEA", StringComparison.Ordinal)),
    ];
}
