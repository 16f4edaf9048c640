using Attest.Audit.Log;
using Npgsql;

namespace Attest.Storage.Audit;

// The PostgreSQL side of the audit store.
public sealed partial class SqlAuditStore
{
    private const long AppendLockKey = 7428190004;

    private static readonly string PostgresInsert =
        $"INSERT INTO audit_entries ({Columns}) SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], " +
        "$8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::bytea[], $14::bytea[], $15::bytea[], $16::bytea[])";

    // PostgreSQL: rows (as one array per column), checkpoint and new tail go in one batch, so an
    // append is three round trips: lock + tail, this batch, COMMIT.
    private static async Task WritePostgresAsync(NpgsqlConnection c, NpgsqlTransaction tx, AuditBatch batch, CancellationToken ct)
    {
        await using var b = new NpgsqlBatch(c, tx);
        var rows = batch.Rows;
        if (rows.Count > 0)
        {
            var insert = new NpgsqlBatchCommand(PostgresInsert);
            Add(insert, rows.Select(r => r.Sequence).ToArray());
            Add(insert, rows.Select(r => r.Id).ToArray());
            Add(insert, rows.Select(r => r.Time.ToUnixTimeMilliseconds()).ToArray());
            Add(insert, rows.Select(r => r.Type).ToArray());
            Add(insert, rows.Select(r => r.Tenant).ToArray());
            Add(insert, rows.Select(r => r.Actor.KeyId).ToArray());
            Add(insert, rows.Select(r => r.Actor.Principal).ToArray());
            Add(insert, rows.Select(r => r.Actor.Agent).ToArray());
            Add(insert, rows.Select(r => r.Actor.EndUser).ToArray());
            Add(insert, rows.Select(r => r.Actor.Admin).ToArray());
            Add(insert, rows.Select(r => r.Subject).ToArray());
            Add(insert, rows.Select(r => r.DataClass).ToArray());
            Add(insert, rows.Select(r => r.Canonical).ToArray());
            Add(insert, rows.Select(r => r.LeafHash).ToArray());
            Add(insert, rows.Select(r => r.ChainHash).ToArray());
            Add(insert, rows.Select(r => r.Payload).ToArray());
            b.BatchCommands.Add(insert);
        }
        if (batch.Checkpoint is { } cp)
        {
            var checkpoint = new NpgsqlBatchCommand("INSERT INTO audit_checkpoints (size, root, time_ms, key_id, note) VALUES ($1, $2, $3, $4, $5)");
            Add(checkpoint, cp.Size);
            Add(checkpoint, cp.Root);
            Add(checkpoint, cp.Time.ToUnixTimeMilliseconds());
            Add(checkpoint, cp.KeyId);
            Add(checkpoint, cp.Note);
            b.BatchCommands.Add(checkpoint);
        }
        var state = new NpgsqlBatchCommand("UPDATE audit_state SET size = $1, chain = $2, frontier = $3, last_checkpoint = $4 WHERE id = 1");
        Add(state, batch.Tail.Size);
        Add(state, batch.Tail.ChainHash);
        Add(state, batch.Tail.Frontier);
        Add(state, batch.Tail.LastCheckpointSize);
        b.BatchCommands.Add(state);
        await b.ExecuteNonQueryAsync(ct);
    }

    private static void Add<T>(NpgsqlBatchCommand command, T value) => command.Parameters.Add(new NpgsqlParameter<T> { TypedValue = value });
}
