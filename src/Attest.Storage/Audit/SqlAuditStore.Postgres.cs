using Attest.Audit.Log;
using Npgsql;

[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("Attest.Storage.Tests")]

namespace Attest.Storage.Audit;

// The PostgreSQL side of the audit store. Every append takes pg_advisory_xact_lock(7428190004)
// for the length of its transaction, so all processes and replicas append to one ordered log.
//
// Fast path, one round trip: the store remembers the tail it last committed (or found under the
// lock) and builds the batch on it. One NpgsqlBatch without an explicit transaction — PostgreSQL
// runs everything up to the Sync in one implicit transaction and commits it synchronously before
// answering — takes the lock, then in one statement compares the stored tail with the remembered
// one (size, chain hash, last checkpoint) and only if they are equal replaces it and inserts the
// rows and the checkpoint. When another process appended in between, nothing is written and the
// statement returns the real tail (read after the lock was taken); the batch is rebuilt on it and
// sent again. After two misses (replicas interleaving on every commit) the classic path runs:
// BEGIN, lock + tail, insert, COMMIT — three round trips, always correct.
public sealed partial class SqlAuditStore
{
    private const int FastAttempts = 2;

    // The tail this store last committed or saw under the lock; null when unknown (start, after an error).
    private AuditTail? _postgresTail;
    private long _fastAppends, _classicAppends, _staleTails;

    /// <summary>PostgreSQL appends committed in one round trip on the remembered tail.</summary>
    internal long FastAppends => Interlocked.Read(ref _fastAppends);

    /// <summary>PostgreSQL appends committed by the classic path (lock + tail read, insert, COMMIT).</summary>
    internal long ClassicAppends => Interlocked.Read(ref _classicAppends);

    /// <summary>One-round-trip attempts that found another tail stored and wrote nothing.</summary>
    internal long StaleTails => Interlocked.Read(ref _staleTails);

    private static readonly string Unnest =
        "unnest($1::bigint[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], " +
        "$8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::bytea[], $14::bytea[], $15::bytea[], $16::bytea[])";

    private static readonly string PostgresInsert = $"INSERT INTO audit_entries ({Columns}) SELECT * FROM {Unnest}";

    private const string LockSql = "SELECT pg_advisory_xact_lock(7428190004)"; // the log's append lock (also in docs/audit.md)

    // $17–$20 new tail, $21–$23 expected tail, $24–$28 checkpoint. The outer SELECT reads the state as
    // of the statement's snapshot (taken after the lock), i.e. the tail before this statement's update.
    private static string ConditionalAppendSql(bool checkpoint) =>
        "WITH st AS (UPDATE audit_state SET size = $17, chain = $18, frontier = $19, last_checkpoint = $20 " +
        "WHERE id = 1 AND size = $21 AND chain = $22 AND last_checkpoint = $23 RETURNING 1), " +
        $"ins AS (INSERT INTO audit_entries ({Columns}) SELECT u.* FROM st, {Unnest} AS u)" +
        (checkpoint ? ", cp AS (INSERT INTO audit_checkpoints (size, root, time_ms, key_id, note) SELECT $24, $25, $26, $27, $28 FROM st)" : "") +
        " SELECT (SELECT count(*) FROM st) AS applied, s.size, s.chain, s.frontier, s.last_checkpoint FROM audit_state s WHERE s.id = 1";

    private static readonly string AppendSql = ConditionalAppendSql(checkpoint: false);
    private static readonly string AppendWithCheckpointSql = ConditionalAppendSql(checkpoint: true);

    private async Task AppendPostgresAsync(PostgresDatabase pg, Func<AuditTail, AuditBatch> build, CancellationToken ct)
    {
        var known = Volatile.Read(ref _postgresTail);
        Volatile.Write(ref _postgresTail, null); // unknown until this append is known to have committed
        await using var c = await pg.DataSource.OpenConnectionAsync(ct);
        for (var attempt = 0; known is not null && attempt < FastAttempts; attempt++)
        {
            var batch = Build(build, known);
            var (applied, stored) = await TryAppendOnTailAsync(c, known, batch, ct);
            if (applied)
            {
                Volatile.Write(ref _postgresTail, batch.Tail);
                Interlocked.Increment(ref _fastAppends);
                return;
            }
            Interlocked.Increment(ref _staleTails);
            known = stored;
        }
        await using var tx = await c.BeginTransactionAsync(ct);
        var tail = await LockAndReadTailAsync(c, tx, ct);
        var slow = Build(build, tail);
        await WritePostgresAsync(c, tx, slow, ct);
        await tx.CommitAsync(ct);
        Volatile.Write(ref _postgresTail, slow.Tail);
        Interlocked.Increment(ref _classicAppends);
    }

    private static AuditBatch Build(Func<AuditTail, AuditBatch> build, AuditTail tail)
    {
        var batch = build(tail);
        if (batch.Rows.Count > 0 && batch.Rows[0].Sequence != tail.Size) throw new InvalidOperationException("batch does not continue the tail");
        return batch;
    }

    // One round trip: lock, then compare-and-replace the tail with the rows and checkpoint, committed
    // in the batch's implicit transaction. Returns whether it was applied, and the stored tail otherwise.
    private static async Task<(bool Applied, AuditTail Stored)> TryAppendOnTailAsync(NpgsqlConnection c, AuditTail expected, AuditBatch batch, CancellationToken ct)
    {
        await using var b = new NpgsqlBatch(c);
        b.BatchCommands.Add(new NpgsqlBatchCommand(LockSql));
        var append = new NpgsqlBatchCommand(batch.Checkpoint is null ? AppendSql : AppendWithCheckpointSql);
        AddRows(append, batch.Rows);
        AddTail(append, batch.Tail);
        Add(append, expected.Size);
        Add(append, expected.ChainHash);
        Add(append, expected.LastCheckpointSize);
        if (batch.Checkpoint is { } cp) AddCheckpoint(append, cp);
        b.BatchCommands.Add(append);
        await b.PrepareAsync(ct); // once per physical connection; later calls find it prepared
        await using var r = await b.ExecuteReaderAsync(ct);
        await r.NextResultAsync(ct); // the lock's row
        if (!await r.ReadAsync(ct)) throw new InvalidOperationException("the audit_state row is missing");
        var applied = r.GetInt64(0) == 1;
        var stored = new AuditTail(r.GetInt64(1), (byte[])r[2], (byte[])r[3], r.GetInt64(4));
        return (applied, stored);
    }

    private static async Task<AuditTail> LockAndReadTailAsync(NpgsqlConnection c, NpgsqlTransaction tx, CancellationToken ct)
    {
        await using var b = new NpgsqlBatch(c, tx);
        b.BatchCommands.Add(new NpgsqlBatchCommand(LockSql));
        b.BatchCommands.Add(new NpgsqlBatchCommand("SELECT size, chain, frontier, last_checkpoint FROM audit_state WHERE id = 1"));
        await using var r = await b.ExecuteReaderAsync(ct);
        await r.NextResultAsync(ct);
        if (!await r.ReadAsync(ct)) throw new InvalidOperationException("the audit_state row is missing");
        return new AuditTail(r.GetInt64(0), (byte[])r[1], (byte[])r[2], r.GetInt64(3));
    }

    // Classic path, inside the caller's transaction: rows (one array per column), checkpoint and new tail in one batch.
    private static async Task WritePostgresAsync(NpgsqlConnection c, NpgsqlTransaction tx, AuditBatch batch, CancellationToken ct)
    {
        await using var b = new NpgsqlBatch(c, tx);
        if (batch.Rows.Count > 0)
        {
            var insert = new NpgsqlBatchCommand(PostgresInsert);
            AddRows(insert, batch.Rows);
            b.BatchCommands.Add(insert);
        }
        if (batch.Checkpoint is { } cp)
        {
            var checkpoint = new NpgsqlBatchCommand("INSERT INTO audit_checkpoints (size, root, time_ms, key_id, note) VALUES ($1, $2, $3, $4, $5)");
            AddCheckpoint(checkpoint, cp);
            b.BatchCommands.Add(checkpoint);
        }
        var state = new NpgsqlBatchCommand("UPDATE audit_state SET size = $1, chain = $2, frontier = $3, last_checkpoint = $4 WHERE id = 1");
        AddTail(state, batch.Tail);
        b.BatchCommands.Add(state);
        await b.ExecuteNonQueryAsync(ct);
    }

    private static void AddRows(NpgsqlBatchCommand command, IReadOnlyList<AuditRow> rows)
    {
        Add(command, rows.Select(r => r.Sequence).ToArray());
        Add(command, rows.Select(r => r.Id).ToArray());
        Add(command, rows.Select(r => r.Time.ToUnixTimeMilliseconds()).ToArray());
        Add(command, rows.Select(r => r.Type).ToArray());
        Add(command, rows.Select(r => r.Tenant).ToArray());
        Add(command, rows.Select(r => r.Actor.KeyId).ToArray());
        Add(command, rows.Select(r => r.Actor.Principal).ToArray());
        Add(command, rows.Select(r => r.Actor.Agent).ToArray());
        Add(command, rows.Select(r => r.Actor.EndUser).ToArray());
        Add(command, rows.Select(r => r.Actor.Admin).ToArray());
        Add(command, rows.Select(r => r.Subject).ToArray());
        Add(command, rows.Select(r => r.DataClass).ToArray());
        Add(command, rows.Select(r => r.Canonical).ToArray());
        Add(command, rows.Select(r => r.LeafHash).ToArray());
        Add(command, rows.Select(r => r.ChainHash).ToArray());
        Add(command, rows.Select(r => r.Payload).ToArray());
    }

    private static void AddTail(NpgsqlBatchCommand command, AuditTail tail)
    {
        Add(command, tail.Size);
        Add(command, tail.ChainHash);
        Add(command, tail.Frontier);
        Add(command, tail.LastCheckpointSize);
    }

    private static void AddCheckpoint(NpgsqlBatchCommand command, StoredCheckpoint cp)
    {
        Add(command, cp.Size);
        Add(command, cp.Root);
        Add(command, cp.Time.ToUnixTimeMilliseconds());
        Add(command, cp.KeyId);
        Add(command, cp.Note);
    }

    private static void Add<T>(NpgsqlBatchCommand command, T value) => command.Parameters.Add(new NpgsqlParameter<T> { TypedValue = value });
}
