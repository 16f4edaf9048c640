using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Attest.Storage;

public enum DatabaseKind { Sqlite, Postgres }

/// <summary>
/// One database Attest keeps its state in: SQLite (embedded default) or PostgreSQL. Stores take
/// this and write SQL that works on both, using <see cref="Kind"/> for the few dialect differences.
/// Thread-safe; connections are pooled by the providers.
/// </summary>
public abstract class AttestDatabase : IAsyncDisposable
{
    public abstract DatabaseKind Kind { get; }

    /// <summary>Opens a pooled connection, ready for use.</summary>
    public abstract ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken = default);

    /// <summary>Picks the SQL text for this dialect.</summary>
    public string Sql(string sqlite, string postgres) => Kind == DatabaseKind.Sqlite ? sqlite : postgres;

    /// <summary>Checks the database answers (for readiness probes).</summary>
    public async Task<bool> PingAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await using var c = await OpenAsync(cancellationToken);
            await using var cmd = c.CreateCommand();
            cmd.CommandText = "SELECT 1";
            await cmd.ExecuteScalarAsync(cancellationToken);
            return true;
        }
        catch (DbException) { return false; }
        catch (InvalidOperationException) { return false; }
    }

    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }
}

/// <summary>SQLite in WAL mode with full fsync on commit, so an acknowledged write survives a crash.</summary>
public sealed class SqliteDatabase : AttestDatabase
{
    private readonly string _connectionString;

    public SqliteDatabase(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        var dir = System.IO.Path.GetDirectoryName(Path);
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        using var c = new SqliteConnection(_connectionString);
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "PRAGMA journal_mode=WAL;";
        cmd.ExecuteNonQuery();
    }

    public string Path { get; }
    public override DatabaseKind Kind => DatabaseKind.Sqlite;

    public override async ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        var c = new SqliteConnection(_connectionString);
        await c.OpenAsync(cancellationToken);
        // The settings belong to the native handle, which the pool keeps across opens: set them once per handle.
        if (!Prepared.TryGetValue(c.Handle!, out _))
        {
            await using var cmd = c.CreateCommand();
            cmd.CommandText = "PRAGMA synchronous=FULL; PRAGMA busy_timeout=30000; PRAGMA foreign_keys=ON;";
            await cmd.ExecuteNonQueryAsync(cancellationToken);
            Prepared.AddOrUpdate(c.Handle!, Marker);
        }
        return c;
    }

    /// <summary>Native handles whose connection settings are in place (weak keys: a handle the pool closes drops out).</summary>
    private static readonly ConditionalWeakTable<SQLitePCL.sqlite3, object> Prepared = new();
    private static readonly object Marker = new();
}

/// <summary>PostgreSQL through one pooled <see cref="NpgsqlDataSource"/>; commits are synchronous (the server default).</summary>
public sealed class PostgresDatabase : AttestDatabase
{
    private readonly NpgsqlDataSource _dataSource;

    public PostgresDatabase(string connectionString)
    {
        _dataSource = NpgsqlDataSource.Create(connectionString);
    }

    public override DatabaseKind Kind => DatabaseKind.Postgres;
    public NpgsqlDataSource DataSource => _dataSource;

    public override async ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken = default) =>
        await _dataSource.OpenConnectionAsync(cancellationToken);

    public override async ValueTask DisposeAsync()
    {
        await _dataSource.DisposeAsync();
        await base.DisposeAsync();
    }
}
