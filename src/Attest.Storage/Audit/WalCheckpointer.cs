using Microsoft.Data.Sqlite;
using SQLitePCL;

[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("Attest.Storage.Tests")]
[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("Attest.Bench.Audit")]

namespace Attest.Storage.Audit;

/// <summary>
/// Keeps WAL checkpoints off the audit commit path. The append connection runs with
/// wal_autocheckpoint=0; after each commit it reports the WAL pages it wrote
/// (SQLITE_DBSTATUS_CACHE_WRITE). Past <see cref="ThresholdPages"/> a PASSIVE checkpoint runs on a
/// pool thread with a connection of its own, while appends go on (checkpoints never block WAL
/// writers; durability does not depend on them — every commit's WAL frames are already fsynced).
/// Once a checkpoint has copied the whole WAL, the next commit starts the WAL file again from its
/// beginning and overwrites old frames (and trims the file to <see cref="JournalSizeLimitBytes"/>).
/// Bound: if the background checkpointer falls behind and the pages written since the last complete
/// checkpoint reach <see cref="BoundPages"/>, the committing connection checkpoints itself before
/// the append returns, as SQLite's automatic checkpoint would. (A reader holding an old snapshot open
/// keeps any checkpoint from completing, with or without this class.) Thread-safe.
/// </summary>
internal sealed class WalCheckpointer(string path, int thresholdPages = 1000, int boundPages = 8000) : IDisposable
{
    private const int CacheWrite = 9; // SQLITE_DBSTATUS_CACHE_WRITE: pages written to the WAL
    private long _pages;
    private int _running;
    private Task _task = Task.CompletedTask;
    private SqliteConnection? _connection;
    private readonly Lock _connectionLock = new();

    public int ThresholdPages { get; } = Math.Max(1, thresholdPages);
    public int BoundPages { get; } = Math.Max(Math.Max(1, thresholdPages), boundPages);
    public long JournalSizeLimitBytes => 2L * ThresholdPages * (4096 + 24);
    /// <summary>False only in tests that prove the bound holds without the background checkpointer.</summary>
    public bool BackgroundEnabled { get; init; } = true;
    /// <summary>Pages written to the WAL since the last checkpoint that copied all of it (an estimate across processes).</summary>
    public long PendingPages => Interlocked.Read(ref _pages);
    public long BackgroundCheckpoints { get; private set; }
    public long InlineCheckpoints { get; private set; }

    /// <summary>
    /// Called when an appending connection opens: frames other connections left in the WAL are not
    /// counted by <see cref="AfterCommit"/>, so checkpoint them now, or count them if that is not possible.
    /// </summary>
    public void Opened(sqlite3 db)
    {
        var rc = raw.sqlite3_wal_checkpoint_v2(db, "main", raw.SQLITE_CHECKPOINT_PASSIVE, out var log, out var done);
        if (rc == raw.SQLITE_OK && log > done) Interlocked.Add(ref _pages, log);
        raw.sqlite3_db_status(db, CacheWrite, out _, out _, 1);
    }

    /// <summary>Called by the appending connection right after each COMMIT.</summary>
    public void AfterCommit(sqlite3 db)
    {
        raw.sqlite3_db_status(db, CacheWrite, out var written, out _, 1);
        var pages = Interlocked.Add(ref _pages, written);
        if (pages >= BoundPages)
        {
            InlineCheckpoints++;
            Checkpoint(db, pages);
        }
        else if (pages >= ThresholdPages && BackgroundEnabled && Interlocked.CompareExchange(ref _running, 1, 0) == 0)
            _task = Task.Run(RunBackground);
    }

    private void RunBackground()
    {
        try
        {
            lock (_connectionLock)
            {
                if (_connection is null)
                {
                    var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWrite, Pooling = false }.ToString());
                    c.Open();
                    // A connection that has not read the database yet does not know it is in WAL mode (the checkpoint would be a no-op).
                    using (var cmd = c.CreateCommand())
                    {
                        cmd.CommandText = "PRAGMA journal_mode";
                        cmd.ExecuteScalar();
                    }
                    _connection = c;
                }
                if (Checkpoint(_connection.Handle!, Interlocked.Read(ref _pages))) BackgroundCheckpoints++;
            }
        }
        catch (SqliteException) { } // nothing is lost: the frames stay in the WAL and the bound still holds
        catch (InvalidOperationException) { }
        finally { Volatile.Write(ref _running, 0); }
    }

    /// <summary>PASSIVE checkpoint; when it copied the whole WAL, the pages counted before it are settled.</summary>
    private bool Checkpoint(sqlite3 db, long counted)
    {
        var rc = raw.sqlite3_wal_checkpoint_v2(db, "main", raw.SQLITE_CHECKPOINT_PASSIVE, out var log, out var done);
        if (rc != raw.SQLITE_OK || log < 0 || log != done) return false;
        long current;
        do current = Interlocked.Read(ref _pages);
        while (Interlocked.CompareExchange(ref _pages, Math.Max(0, current - counted), current) != current);
        return true;
    }

    public void Dispose()
    {
        try { _task.Wait(TimeSpan.FromSeconds(30)); }
        catch (AggregateException) { }
        lock (_connectionLock)
        {
            _connection?.Dispose();
            _connection = null;
        }
    }
}
