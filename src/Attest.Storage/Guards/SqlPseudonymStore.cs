using System.Data.Common;
using Attest.Guards.Redaction;
using Dapper;

namespace Attest.Storage.Guards;

/// <summary>
/// Durable <see cref="IPseudonymStore"/> on SQLite or PostgreSQL, shared by every replica using the database, so a
/// placeholder made by one instance is restored by another or after a restart (given the same vault key). Rows hold
/// keyed digests, the placeholder and the AES-GCM ciphertext only. Binding is insert-or-get on the unique
/// (scope, value) and (scope, placeholder) keys: concurrent callers agree on one placeholder per value and never give
/// one placeholder to two values. A conversation's bindings share one expiry (to within a minute), renewed on use at
/// most once a minute, so repeated use costs one read; an expired conversation cannot be restored and starts afresh.
/// The <see cref="IPseudonymStore"/> contract is synchronous (the redactor runs inside the guard engine), so this
/// store uses the providers' synchronous calls. Thread-safe.
/// </summary>
public sealed class SqlPseudonymStore(AttestDatabase database, TimeProvider time) : IPseudonymStore
{
    /// <summary>Expiry renewals closer together than this are skipped.</summary>
    public static readonly TimeSpan RenewEvery = TimeSpan.FromMinutes(1);

    private const int MaxNumberAttempts = 64;
    private static readonly long RenewEveryMs = (long)RenewEvery.TotalMilliseconds;

    private sealed record Binding(string Placeholder, long ExpiresAt);

    public string GetOrAdd(string scopeId, string valueDigest, string label, Func<int, (string Placeholder, byte[] Sealed)> create, DateTimeOffset expires)
    {
        ArgumentNullException.ThrowIfNull(create);
        return Retry(() => Bind(scopeId, valueDigest, label, create, expires.ToUnixTimeMilliseconds(), time.GetUtcNow().ToUnixTimeMilliseconds()));
    }

    public byte[]? Find(string scopeId, string placeholder, DateTimeOffset now)
    {
        using var c = Open();
        return c.QuerySingleOrDefault<byte[]>(
            "SELECT sealed FROM guard_pseudonyms WHERE scope_id = @scopeId AND placeholder = @placeholder AND expires_at >= @now",
            new { scopeId, placeholder, now = now.ToUnixTimeMilliseconds() });
    }

    public int Purge(DateTimeOffset now)
    {
        using var c = Open();
        return c.Execute("DELETE FROM guard_pseudonyms WHERE expires_at < @now", new { now = now.ToUnixTimeMilliseconds() });
    }

    private string Bind(string scopeId, string valueDigest, string label, Func<int, (string Placeholder, byte[] Sealed)> create, long expiresAt, long now)
    {
        using var c = Open();
        var hit = c.QuerySingleOrDefault<Binding>(
            "SELECT placeholder AS Placeholder, expires_at AS ExpiresAt FROM guard_pseudonyms WHERE scope_id = @scopeId AND value_digest = @valueDigest",
            new { scopeId, valueDigest });
        if (hit is not null && hit.ExpiresAt >= now)
        {
            if (hit.ExpiresAt < expiresAt - RenewEveryMs) Renew(c, null, scopeId, expiresAt);
            return hit.Placeholder;
        }

        using var tx = c.BeginTransaction();
        // An expired conversation starts afresh: its old bindings must not come back to life.
        c.Execute("DELETE FROM guard_pseudonyms WHERE scope_id = @scopeId AND expires_at < @now", new { scopeId, now }, tx);
        int tried = 0;
        for (int attempt = 0; attempt < MaxNumberAttempts; attempt++)
        {
            var used = c.ExecuteScalar<long>("SELECT COUNT(*) FROM guard_pseudonyms WHERE scope_id = @scopeId AND label = @label", new { scopeId, label }, tx);
            int n = Math.Max((int)used + 1, tried + 1);
            tried = n;
            var (placeholder, sealedValue) = create(n);
            c.Execute("""
                INSERT INTO guard_pseudonyms (scope_id, value_digest, label, placeholder, sealed, expires_at)
                VALUES (@scopeId, @valueDigest, @label, @placeholder, @sealedValue, @expiresAt)
                ON CONFLICT DO NOTHING
                """, new { scopeId, valueDigest, label, placeholder, sealedValue, expiresAt }, tx);
            // Either ours, or the one another caller bound first for the same value; null means the number was taken.
            var bound = c.QuerySingleOrDefault<string>(
                "SELECT placeholder FROM guard_pseudonyms WHERE scope_id = @scopeId AND value_digest = @valueDigest", new { scopeId, valueDigest }, tx);
            if (bound is null) continue;
            Renew(c, tx, scopeId, expiresAt);
            tx.Commit();
            return bound;
        }
        throw new InvalidOperationException($"no free pseudonym number after {MaxNumberAttempts} attempts");
    }

    // Rows renewed less than a minute ago are left alone, so binding many values in one conversation stays linear.
    private static void Renew(DbConnection c, DbTransaction? tx, string scopeId, long expiresAt) =>
        c.Execute("UPDATE guard_pseudonyms SET expires_at = @expiresAt WHERE scope_id = @scopeId AND expires_at < @stale",
            new { scopeId, expiresAt, stale = expiresAt - RenewEveryMs }, tx);

    private static T Retry<T>(Func<T> operation)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return operation();
            }
            catch (DbException e) when (e.IsTransient && attempt < 3)
            {
                // A deadlock or serialization failure between replicas binding at once: the retry finds the winner's row.
            }
        }
    }

    private DbConnection Open() => database is PostgresDatabase pg
        ? pg.DataSource.OpenConnection()
        // SQLite opens synchronously underneath, so this completes without blocking on I/O callbacks.
        : database.OpenAsync().AsTask().GetAwaiter().GetResult();
}
