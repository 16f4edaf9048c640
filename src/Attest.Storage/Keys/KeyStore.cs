using Dapper;

namespace Attest.Storage.Keys;

/// <summary>
/// Virtual keys in the Attest database (SQLite or PostgreSQL). Every read goes to the database, so
/// a revocation written by one replica is seen by the next lookup on every replica. The per-request
/// lookup by hash runs a statement compiled once (<see cref="KeyLookup"/>). Thread-safe; disposing
/// closes the connections the lookup keeps.
/// </summary>
public sealed class KeyStore(AttestDatabase db) : IDisposable
{
    private const string Columns =
        "id, key_hash, display_prefix, tenant, agent, principal, models, scopes, rpm, tpm, created_at, expires_at, revoked_at, last_used_at, rotated_from";
    private const string Select =
        "SELECT id AS Id, key_hash AS KeyHash, display_prefix AS DisplayPrefix, tenant AS Tenant, agent AS Agent, principal AS Principal, " +
        "models AS Models, scopes AS Scopes, rpm AS Rpm, tpm AS Tpm, created_at AS CreatedAt, expires_at AS ExpiresAt, " +
        "revoked_at AS RevokedAt, last_used_at AS LastUsedAt, rotated_from AS RotatedFrom FROM attest_keys";

    public async Task CreateAsync(StoredKey key, CancellationToken cancellationToken = default)
    {
        await using var c = await db.OpenAsync(cancellationToken);
        await c.ExecuteAsync(new CommandDefinition(
            $"INSERT INTO attest_keys ({Columns}) VALUES (@Id, @KeyHash, @DisplayPrefix, @Tenant, @Agent, @Principal, @Models, @Scopes, @Rpm, @Tpm, @CreatedAt, @ExpiresAt, @RevokedAt, @LastUsedAt, @RotatedFrom)",
            KeyRow.From(key), cancellationToken: cancellationToken));
    }

    private readonly KeyLookup _byHash = new(db, $"{Select} WHERE key_hash = @v");

    /// <summary>
    /// The key whose keyed hash is <paramref name="keyHash"/> (indexed lookup), or null. Read from the
    /// database on every call, through a prepared statement.
    /// </summary>
    public Task<StoredKey?> FindByHashAsync(string keyHash, CancellationToken cancellationToken = default) =>
        _byHash.FindAsync(keyHash, cancellationToken);

    /// <summary>The same lookup through the generic (unprepared, mapped) path; the reference the prepared one is tested against.</summary>
    internal Task<StoredKey?> FindByHashUnpreparedAsync(string keyHash, CancellationToken cancellationToken = default) =>
        SingleAsync("key_hash = @v", keyHash, cancellationToken);

    /// <summary>Idle prepared lookups kept open (for tests).</summary>
    internal int IdleLookups => _byHash.IdleCount;

    public void Dispose() => _byHash.Dispose();

    public Task<StoredKey?> GetAsync(string id, CancellationToken cancellationToken = default) =>
        SingleAsync("id = @v", id, cancellationToken);

    /// <summary>Keys, newest first; of one tenant when <paramref name="tenant"/> is given.</summary>
    public async Task<IReadOnlyList<StoredKey>> ListAsync(string? tenant = null, CancellationToken cancellationToken = default)
    {
        await using var c = await db.OpenAsync(cancellationToken);
        var where = tenant is null ? "" : " WHERE tenant = @tenant";
        var rows = await c.QueryAsync<KeyRow>(new CommandDefinition(
            $"{Select}{where} ORDER BY created_at DESC, id", new { tenant }, cancellationToken: cancellationToken));
        return [.. rows.Select(r => r.ToKey())];
    }

    /// <summary>Marks the key revoked at <paramref name="at"/>; returns false when it does not exist or was already revoked.</summary>
    public async Task<bool> RevokeAsync(string id, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        await using var c = await db.OpenAsync(cancellationToken);
        var n = await c.ExecuteAsync(new CommandDefinition(
            "UPDATE attest_keys SET revoked_at = @at WHERE id = @id AND revoked_at IS NULL",
            new { id, at = at.ToUnixTimeMilliseconds() }, cancellationToken: cancellationToken));
        return n == 1;
    }

    /// <summary>Sets (or clears) the expiry of a key; returns false when it does not exist.</summary>
    public async Task<bool> SetExpiryAsync(string id, DateTimeOffset? expiresAt, CancellationToken cancellationToken = default)
    {
        await using var c = await db.OpenAsync(cancellationToken);
        var n = await c.ExecuteAsync(new CommandDefinition(
            "UPDATE attest_keys SET expires_at = @at WHERE id = @id",
            new { id, at = expiresAt?.ToUnixTimeMilliseconds() }, cancellationToken: cancellationToken));
        return n == 1;
    }

    /// <summary>Deletes a key (compensation when its audit record could not be written).</summary>
    public async Task<bool> DeleteAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var c = await db.OpenAsync(cancellationToken);
        return await c.ExecuteAsync(new CommandDefinition("DELETE FROM attest_keys WHERE id = @id", new { id }, cancellationToken: cancellationToken)) == 1;
    }

    /// <summary>
    /// Records a use at <paramref name="at"/> unless one was recorded less than <paramref name="minInterval"/>
    /// before, so a busy key costs at most one write per interval. Returns true when a write happened.
    /// </summary>
    public async Task<bool> TouchAsync(string id, DateTimeOffset at, TimeSpan minInterval, CancellationToken cancellationToken = default)
    {
        await using var c = await db.OpenAsync(cancellationToken);
        var now = at.ToUnixTimeMilliseconds();
        var n = await c.ExecuteAsync(new CommandDefinition(
            "UPDATE attest_keys SET last_used_at = @now WHERE id = @id AND (last_used_at IS NULL OR last_used_at <= @before)",
            new { id, now, before = now - (long)minInterval.TotalMilliseconds }, cancellationToken: cancellationToken));
        return n == 1;
    }

    private async Task<StoredKey?> SingleAsync(string where, string value, CancellationToken cancellationToken)
    {
        await using var c = await db.OpenAsync(cancellationToken);
        var row = await c.QuerySingleOrDefaultAsync<KeyRow>(new CommandDefinition(
            $"{Select} WHERE {where}", new { v = value }, cancellationToken: cancellationToken));
        return row?.ToKey();
    }
}
