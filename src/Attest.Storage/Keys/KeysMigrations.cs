namespace Attest.Storage.Keys;

/// <summary>Schema of the virtual keys table: keyed hashes and display prefixes only, never a key.</summary>
public sealed class KeysMigrations : IMigrationSource
{
    private const string Table = """
        CREATE TABLE attest_keys (
            id TEXT PRIMARY KEY,
            key_hash TEXT NOT NULL,
            display_prefix TEXT NOT NULL,
            tenant TEXT NOT NULL,
            agent TEXT NULL,
            principal TEXT NULL,
            models TEXT NOT NULL,
            scopes TEXT NOT NULL,
            rpm BIGINT NULL,
            tpm BIGINT NULL,
            created_at BIGINT NOT NULL,
            expires_at BIGINT NULL,
            revoked_at BIGINT NULL,
            last_used_at BIGINT NULL,
            rotated_from TEXT NULL
        );
        CREATE UNIQUE INDEX ix_attest_keys_hash ON attest_keys (key_hash);
        CREATE INDEX ix_attest_keys_tenant ON attest_keys (tenant);
        """;

    public IEnumerable<Migration> Migrations =>
    [
        new("keys", 1, "virtual keys: keyed hash, prefix, scopes, limits, expiry, revocation, last use", Table, Table),
    ];
}
