using System.Collections.Concurrent;
using System.Data.Common;

namespace Attest.Storage.Keys;

/// <summary>
/// The per-request read of a key by its keyed hash, with the statement compiled once instead of on every
/// call. Every call still reads the row from the database (so a revocation, expiry change or deletion
/// written by any replica is seen by the next call); only the statement preparation and the object
/// mapping of the generic path are saved.
/// <list type="bullet">
/// <item>SQLite: the provider compiles a statement per command object, so idle (connection, prepared
/// command) pairs are kept, at most <see cref="MaxIdle"/>, and reused; a pair whose call failed is
/// closed, never reused.</item>
/// <item>PostgreSQL: a pooled connection is opened per call and the command prepared on it; Npgsql keeps
/// prepared statements per physical connection, so after the first call this is a lookup, not a parse.</item>
/// </list>
/// Thread-safe. Disposing closes the idle pairs.
/// </summary>
internal sealed class KeyLookup(AttestDatabase db, string sql) : IDisposable
{
    /// <summary>Idle prepared pairs kept for reuse (SQLite); more callers at once open more, closed on return.</summary>
    public const int MaxIdle = 8;

    private readonly ConcurrentStack<Prepared> _idle = new();
    private volatile bool _disposed;

    public async Task<StoredKey?> FindAsync(string keyHash, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (db.Kind == DatabaseKind.Postgres)
        {
            await using var connection = await db.OpenAsync(cancellationToken);
            await using var command = Prepared.Command(connection, sql, out var parameter);
            parameter.Value = keyHash;
            await command.PrepareAsync(cancellationToken);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            return await reader.ReadAsync(cancellationToken) ? KeyRowReader.Read(reader) : null;
        }
        if (!_idle.TryPop(out var prepared)) prepared = await Prepared.OpenAsync(db, sql, cancellationToken);
        StoredKey? found;
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            found = prepared.Find(keyHash);
        }
        catch
        {
            prepared.Dispose();
            throw;
        }
        Return(prepared);
        return found;
    }

    /// <summary>Idle prepared pairs (for tests).</summary>
    internal int IdleCount => _idle.Count;

    private void Return(Prepared prepared)
    {
        if (_disposed || _idle.Count >= MaxIdle) { prepared.Dispose(); return; }
        _idle.Push(prepared);
        if (_disposed && _idle.TryPop(out var late)) late.Dispose(); // raced with Dispose
    }

    public void Dispose()
    {
        _disposed = true;
        while (_idle.TryPop(out var p)) p.Dispose();
    }

    /// <summary>One open connection and its prepared lookup command.</summary>
    private sealed class Prepared(DbConnection connection, DbCommand command, DbParameter parameter) : IDisposable
    {
        public static async Task<Prepared> OpenAsync(AttestDatabase db, string sql, CancellationToken cancellationToken)
        {
            var connection = await db.OpenAsync(cancellationToken);
            try
            {
                var command = Command(connection, sql, out var parameter);
                command.Prepare();
                return new Prepared(connection, command, parameter);
            }
            catch
            {
                await connection.DisposeAsync();
                throw;
            }
        }

        public static DbCommand Command(DbConnection connection, string sql, out DbParameter parameter)
        {
            var command = connection.CreateCommand();
            command.CommandText = sql;
            parameter = command.CreateParameter();
            parameter.ParameterName = "@v";
            parameter.DbType = System.Data.DbType.String;
            command.Parameters.Add(parameter);
            return command;
        }

        // SQLite calls complete synchronously (the provider's async methods wrap the same work), so the
        // synchronous calls save a task per step without blocking any longer than the async ones would.
        public StoredKey? Find(string keyHash)
        {
            parameter.Value = keyHash;
            using var reader = command.ExecuteReader();
            return reader.Read() ? KeyRowReader.Read(reader) : null;
        }

        public void Dispose()
        {
            command.Dispose();
            connection.Dispose();
        }
    }
}
