using Attest.Audit.Log;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Attest.Storage.Audit;

/// <summary>
/// The SQLite append path of <see cref="SqlAuditStore"/>: one connection of its own (not pooled)
/// whose statements — BEGIN IMMEDIATE, tail read, row insert, checkpoint insert, tail update,
/// COMMIT — are prepared once and stepped on SQLite's own handle, so a commit pays no statement
/// compilation, no ADO.NET command objects and no Dapper mapping. The connection runs
/// synchronous=FULL (the WAL is fsynced before COMMIT returns, as on every Attest connection) and
/// keeps SQLite's automatic WAL checkpoint, every <see cref="AutoCheckpointPages"/> pages (a
/// background checkpointer was measured and was slower on this disk — docs/audit.md). Not thread-safe: <see cref="SqlAuditStore"/> serialises
/// calls. Any failure rolls back and closes the connection; the next append reopens it.
/// </summary>
internal sealed class SqliteAppender : IDisposable
{
    private const string Columns = "seq, id, time_ms, type, tenant, actor_key, actor_principal, actor_agent, actor_user, actor_admin, subject, data_class, canonical, leaf, chain, payload";
    private const int ColumnCount = 16;

    /// <summary>
    /// Rows per multi-row insert: a batch's rows go in statements of this many rows (the rest one by one),
    /// so the table's and its four indexes' cursors are opened once per statement instead of once per row.
    /// </summary>
    public const int RowsPerStatement = 16;

    private static string InsertSql(int rows) =>
        $"INSERT INTO audit_entries ({Columns}) VALUES " + string.Join(", ", Enumerable.Range(0, rows).Select(r =>
            "(" + string.Join(", ", Enumerable.Range(r * ColumnCount + 1, ColumnCount).Select(i => "?" + i.ToString(System.Globalization.CultureInfo.InvariantCulture))) + ")"));

    /// <summary>
    /// WAL pages after which a commit checkpoints (SQLite's automatic checkpoint; its default is 1,000).
    /// 4,000 pages (a 16 MiB WAL, reused from its start after each complete checkpoint) means a quarter
    /// of the checkpoint stalls, and each copies hot pages (tail row, index edges) fewer times per event;
    /// measured A/B in docs/benchmarks.md (Audit, round 4).
    /// </summary>
    public const int AutoCheckpointPages = 4000;

    private readonly SqliteConnection _connection;
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _begin, _commit, _rollback, _tail, _insert, _insertMany, _checkpoint, _update;

    public SqliteAppender(SqliteDatabase database)
    {
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = database.Path, Mode = SqliteOpenMode.ReadWrite, Pooling = false, DefaultTimeout = 30,
        }.ToString());
        try
        {
            _connection.Open();
            _db = _connection.Handle ?? throw new InvalidOperationException("the SQLite connection is not open");
            Exec("PRAGMA synchronous=FULL; PRAGMA busy_timeout=30000; PRAGMA foreign_keys=ON; PRAGMA wal_autocheckpoint=" + AutoCheckpointPages.ToString(System.Globalization.CultureInfo.InvariantCulture) + ";");
            _begin = Prepare("BEGIN IMMEDIATE");
            _commit = Prepare("COMMIT");
            _rollback = Prepare("ROLLBACK");
            _tail = Prepare("SELECT size, chain, frontier, last_checkpoint FROM audit_state WHERE id = 1");
            _insert = Prepare(InsertSql(1));
            _insertMany = Prepare(InsertSql(RowsPerStatement));
            _checkpoint = Prepare("INSERT INTO audit_checkpoints (size, root, time_ms, key_id, note) VALUES (?1, ?2, ?3, ?4, ?5)");
            _update = Prepare("UPDATE audit_state SET size = ?1, chain = ?2, frontier = ?3, last_checkpoint = ?4 WHERE id = 1");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>One durable append transaction; returns after COMMIT (and the WAL fsync) succeeded.</summary>
    public void Append(Func<AuditTail, AuditBatch> build)
    {
        Step(_begin);
        try
        {
            var tail = ReadTail();
            var batch = build(tail);
            if (batch.Rows.Count > 0 && batch.Rows[0].Sequence != tail.Size) throw new InvalidOperationException("batch does not continue the tail");
            var rows = batch.Rows;
            var i = 0;
            for (; i + RowsPerStatement <= rows.Count; i += RowsPerStatement)
            {
                for (var k = 0; k < RowsPerStatement; k++) BindRow(_insertMany, k * ColumnCount, rows[i + k]);
                Step(_insertMany);
            }
            for (; i < rows.Count; i++)
            {
                BindRow(_insert, 0, rows[i]);
                Step(_insert);
            }
            if (batch.Checkpoint is { } cp)
            {
                Check(raw.sqlite3_bind_int64(_checkpoint, 1, cp.Size));
                BindBlob(_checkpoint, 2, cp.Root);
                Check(raw.sqlite3_bind_int64(_checkpoint, 3, cp.Time.ToUnixTimeMilliseconds()));
                BindText(_checkpoint, 4, cp.KeyId);
                BindText(_checkpoint, 5, cp.Note);
                Step(_checkpoint);
            }
            Check(raw.sqlite3_bind_int64(_update, 1, batch.Tail.Size));
            BindBlob(_update, 2, batch.Tail.ChainHash);
            BindBlob(_update, 3, batch.Tail.Frontier);
            Check(raw.sqlite3_bind_int64(_update, 4, batch.Tail.LastCheckpointSize));
            Step(_update);
            Step(_commit);
        }
        catch
        {
            if (raw.sqlite3_get_autocommit(_db) == 0) raw.sqlite3_step(_rollback);
            raw.sqlite3_reset(_rollback);
            throw;
        }
    }

    private AuditTail ReadTail()
    {
        try
        {
            var rc = raw.sqlite3_step(_tail);
            if (rc != raw.SQLITE_ROW) throw new InvalidOperationException(rc == raw.SQLITE_DONE ? "the audit tail row is missing" : raw.sqlite3_errmsg(_db).utf8_to_string());
            return new AuditTail(raw.sqlite3_column_int64(_tail, 0), raw.sqlite3_column_blob(_tail, 1).ToArray(),
                raw.sqlite3_column_blob(_tail, 2).ToArray(), raw.sqlite3_column_int64(_tail, 3));
        }
        finally { raw.sqlite3_reset(_tail); }
    }

    // Binds one row's 16 columns at parameters offset+1 .. offset+16 (the statement is stepped by the caller).
    private void BindRow(sqlite3_stmt stmt, int offset, AuditRow r)
    {
        Check(raw.sqlite3_bind_int64(stmt, offset + 1, r.Sequence));
        BindText(stmt, offset + 2, r.Id);
        Check(raw.sqlite3_bind_int64(stmt, offset + 3, r.Time.ToUnixTimeMilliseconds()));
        BindText(stmt, offset + 4, r.Type);
        BindText(stmt, offset + 5, r.Tenant);
        BindText(stmt, offset + 6, r.Actor.KeyId);
        BindText(stmt, offset + 7, r.Actor.Principal);
        BindText(stmt, offset + 8, r.Actor.Agent);
        BindText(stmt, offset + 9, r.Actor.EndUser);
        BindText(stmt, offset + 10, r.Actor.Admin);
        BindText(stmt, offset + 11, r.Subject);
        BindText(stmt, offset + 12, r.DataClass);
        BindBlob(stmt, offset + 13, r.Canonical);
        BindBlob(stmt, offset + 14, r.LeafHash);
        BindBlob(stmt, offset + 15, r.ChainHash);
        BindBlob(stmt, offset + 16, r.Payload);
    }

    private void Step(sqlite3_stmt stmt)
    {
        var rc = raw.sqlite3_step(stmt);
        raw.sqlite3_reset(stmt);
        if (rc != raw.SQLITE_DONE) Check(rc);
    }

    private void BindText(sqlite3_stmt stmt, int index, string? value) =>
        Check(value is null ? raw.sqlite3_bind_null(stmt, index) : raw.sqlite3_bind_text(stmt, index, value));

    private void BindBlob(sqlite3_stmt stmt, int index, byte[]? value) =>
        Check(value is null ? raw.sqlite3_bind_null(stmt, index)
            : value.Length == 0 ? raw.sqlite3_bind_zeroblob(stmt, index, 0) : raw.sqlite3_bind_blob(stmt, index, value));

    private sqlite3_stmt Prepare(string sql)
    {
        Check(raw.sqlite3_prepare_v3(_db, sql, raw.SQLITE_PREPARE_PERSISTENT, out var stmt));
        return stmt;
    }

    private void Exec(string sql) => Check(raw.sqlite3_exec(_db, sql));

    private void Check(int rc) => SqliteException.ThrowExceptionForRC(rc, _db);

    public void Dispose()
    {
        foreach (var s in new[] { _begin, _commit, _rollback, _tail, _insert, _insertMany, _checkpoint, _update }) s?.Dispose();
        _connection.Dispose();
    }
}
