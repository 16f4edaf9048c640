using Attest.Audit.Log;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Attest.Storage.Audit;

// The SQLite append path: one appending connection per store with prepared statements
// (SqliteAppender). Appends of one store are
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

    private static void Check(int rc, sqlite3 db) => SqliteException.ThrowExceptionForRC(rc, db);

    /// <summary>Closes the SQLite append connection (reopened by a later append). Reads need no disposal.</summary>
    public async ValueTask DisposeAsync()
    {
        await _appendGate.WaitAsync();
        try
        {
            _appender?.Dispose();
            _appender = null;
        }
        finally { _appendGate.Release(); }
    }
}
