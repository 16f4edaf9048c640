using Attest.Audit.Log;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Attest.Storage.Audit;

// The SQLite append path: one appending connection per store with prepared statements
// (SqliteAppender), and one connection for the writer loop's subject-key lookups. Appends of one store are
// serialised by a gate; appends of other stores or processes are serialised by BEGIN IMMEDIATE.
public sealed partial class SqlAuditStore : IAsyncDisposable
{
    private readonly SemaphoreSlim _appendGate = new(1, 1);
    private SqliteAppender? _appender;

    private async Task AppendSqliteAsync(SqliteDatabase sqlite, Func<AuditTail, AuditBatch> build, CancellationToken cancellationToken)
    {
        await _appendGate.WaitAsync(cancellationToken);
        try
        {
            _appender ??= new SqliteAppender(sqlite);
            try { _appender.Append(build); }
            catch
            {
                // The connection may be in any state after a failure: drop it, the next append opens a fresh one.
                _appender.Dispose();
                _appender = null;
                throw;
            }
        }
        finally { _appendGate.Release(); }
    }

    private readonly SemaphoreSlim _keyGate = new(1, 1);
    private SqliteConnection? _keyConnection;
    private sqlite3_stmt? _keyLookup;

    // SQLite: live subject keys are read (once per batch, by the writer loop, while the previous
    // batch may be committing) on a second connection of the store's own, with the statement
    // prepared once. The subjects travel as one JSON array parameter (one short statement whatever
    // their number, each looked up through the live-key index). The statement is reset after every
    // lookup, so no read snapshot is held between lookups.
    private async Task<IReadOnlyDictionary<string, SubjectKeyRecord>> ActiveSubjectKeysSqliteAsync(SqliteDatabase sqlite, IReadOnlyCollection<string> subjects, CancellationToken cancellationToken)
    {
        await _keyGate.WaitAsync(cancellationToken);
        try
        {
            if (_keyConnection is null || _keyLookup is null)
            {
                var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = sqlite.Path, Mode = SqliteOpenMode.ReadWrite, Pooling = false, DefaultTimeout = 30 }.ToString());
                try
                {
                    c.Open();
                    Check(raw.sqlite3_exec(c.Handle!, "PRAGMA busy_timeout=30000;"), c.Handle!);
                    Check(raw.sqlite3_prepare_v3(c.Handle!, "SELECT key_id, subject, wrapped, created_ms, forgotten_ms FROM audit_subject_keys " +
                        "WHERE forgotten_ms IS NULL AND subject IN (SELECT value FROM json_each(?1))", raw.SQLITE_PREPARE_PERSISTENT, out var stmt), c.Handle!);
                    (_keyConnection, _keyLookup) = (c, stmt);
                }
                catch
                {
                    c.Dispose();
                    throw;
                }
            }
            try { return ActiveSubjectKeys(_keyConnection.Handle!, _keyLookup, subjects); }
            catch
            {
                CloseKeyConnection();
                throw;
            }
        }
        finally { _keyGate.Release(); }
    }

    private static Dictionary<string, SubjectKeyRecord> ActiveSubjectKeys(sqlite3 db, sqlite3_stmt stmt, IReadOnlyCollection<string> subjects)
    {
        var result = new Dictionary<string, SubjectKeyRecord>(StringComparer.Ordinal);
        try
        {
            Check(raw.sqlite3_bind_text(stmt, 1, System.Text.Json.JsonSerializer.Serialize(subjects, AuditStoreJson.Default.IReadOnlyCollectionString)), db);
            int rc;
            while ((rc = raw.sqlite3_step(stmt)) == raw.SQLITE_ROW)
            {
                var wrapped = raw.sqlite3_column_type(stmt, 2) == raw.SQLITE_NULL ? null : raw.sqlite3_column_blob(stmt, 2).ToArray();
                long? forgotten = raw.sqlite3_column_type(stmt, 4) == raw.SQLITE_NULL ? null : raw.sqlite3_column_int64(stmt, 4);
                var row = new KeyRow(raw.sqlite3_column_text(stmt, 0).utf8_to_string(), raw.sqlite3_column_text(stmt, 1).utf8_to_string(),
                    wrapped, raw.sqlite3_column_int64(stmt, 3), forgotten);
                result[row.subject] = ToRecord(row);
            }
            if (rc != raw.SQLITE_DONE) Check(rc, db);
        }
        finally
        {
            raw.sqlite3_reset(stmt);
            raw.sqlite3_clear_bindings(stmt);
        }
        return result;
    }

    private void CloseKeyConnection()
    {
        _keyLookup?.Dispose();
        _keyConnection?.Dispose();
        (_keyLookup, _keyConnection) = (null, null);
    }

    private static void Check(int rc, sqlite3 db) => SqliteException.ThrowExceptionForRC(rc, db);

    /// <summary>Closes the SQLite append and key-lookup connections (reopened when used again). Other reads need no disposal.</summary>
    public async ValueTask DisposeAsync()
    {
        await _keyGate.WaitAsync();
        try { CloseKeyConnection(); }
        finally { _keyGate.Release(); }
        await _appendGate.WaitAsync();
        try
        {
            _appender?.Dispose();
            _appender = null;
        }
        finally { _appendGate.Release(); }
    }
}
