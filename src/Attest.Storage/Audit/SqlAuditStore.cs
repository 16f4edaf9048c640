using System.Data.Common;
using System.Runtime.CompilerServices;
using Attest.Audit.Log;
using Attest.Core.Audit;
using Dapper;

namespace Attest.Storage.Audit;

/// <summary>
/// The audit store on SQLite or PostgreSQL. Appends run in one transaction under the log's write
/// lock (SQLite: BEGIN IMMEDIATE on a dedicated prepared connection, see SqlAuditStore.Sqlite.cs;
/// PostgreSQL: pg_advisory_xact_lock in one round trip, see SqlAuditStore.Postgres.cs), so several
/// processes or replicas append to one totally ordered log. Commits are durable
/// (synchronous=FULL / synchronous_commit). Thread-safe.
/// </summary>
public sealed partial class SqlAuditStore(AttestDatabase db) : IAuditStore
{
    private const string Columns = "seq, id, time_ms, type, tenant, actor_key, actor_principal, actor_agent, actor_user, actor_admin, subject, data_class, canonical, leaf, chain, payload";

    public async Task AppendAsync(Func<AuditTail, AuditBatch> build, CancellationToken cancellationToken = default)
    {
        if (db is SqliteDatabase sqlite)
        {
            await AppendSqliteAsync(sqlite, build, cancellationToken);
            return;
        }
        if (db is PostgresDatabase pg)
        {
            await AppendPostgresAsync(pg, build, cancellationToken);
            return;
        }
        throw new InvalidOperationException($"unsupported database {db.Kind}");
    }

    public async Task<AuditTail> ReadTailAsync(CancellationToken cancellationToken = default)
    {
        await using var c = await db.OpenAsync(cancellationToken);
        return await ReadTailAsync(c, null, cancellationToken);
    }

    private static async Task<AuditTail> ReadTailAsync(DbConnection c, DbTransaction? tx, CancellationToken ct)
    {
        var row = await c.QuerySingleAsync<(long Size, byte[] Chain, byte[] Frontier, long Last)>(new CommandDefinition(
            "SELECT size, chain, frontier, last_checkpoint FROM audit_state WHERE id = 1", transaction: tx, cancellationToken: ct));
        return new AuditTail(row.Size, row.Chain, row.Frontier ?? [], row.Last);
    }

    public IAsyncEnumerable<AuditRow> ReadRowsAsync(long fromSequence, long toSequence, CancellationToken cancellationToken = default) =>
        ReadAsync($"SELECT {Columns} FROM audit_entries WHERE seq >= @from AND seq < @to ORDER BY seq", new() { ["from"] = fromSequence, ["to"] = toSequence }, cancellationToken);

    public async IAsyncEnumerable<byte[]> ReadLeafHashesAsync(long fromSequence, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var c = await db.OpenAsync(cancellationToken);
        await using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT leaf FROM audit_entries WHERE seq >= @from ORDER BY seq";
        AddParameter(cmd, "from", fromSequence);
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken)) yield return (byte[])r[0];
    }

    public async Task<IReadOnlyList<StoredCheckpoint>> ReadCheckpointsAsync(CancellationToken cancellationToken = default)
    {
        await using var c = await db.OpenAsync(cancellationToken);
        var rows = await c.QueryAsync<(long Size, byte[] Root, long TimeMs, string KeyId, string Note)>(new CommandDefinition(
            "SELECT size, root, time_ms, key_id, note FROM audit_checkpoints ORDER BY size", cancellationToken: cancellationToken));
        return [.. rows.Select(r => new StoredCheckpoint(r.Size, r.Root, DateTimeOffset.FromUnixTimeMilliseconds(r.TimeMs), r.KeyId, r.Note))];
    }

    public IAsyncEnumerable<AuditRow> QueryAsync(AuditQuery query, CancellationToken cancellationToken = default)
    {
        var where = new List<string>();
        var args = new Dictionary<string, object>();
        if (query.Tenant is { } tenant) { where.Add("tenant = @tenant"); args["tenant"] = tenant; }
        if (query.Type is { } type)
        {
            if (type.EndsWith('.')) { where.Add("substr(type, 1, CAST(@tlen AS INTEGER)) = @type"); args["tlen"] = (long)type.Length; }
            else where.Add("type = @type");
            args["type"] = type;
        }
        if (query.Actor is { } actor)
        {
            where.Add("(actor_key = @actor OR actor_principal = @actor OR actor_agent = @actor OR actor_user = @actor OR actor_admin = @actor)");
            args["actor"] = actor;
        }
        if (query.From is { } from) { where.Add("time_ms >= @fromMs"); args["fromMs"] = from.ToUnixTimeMilliseconds(); }
        if (query.To is { } to) { where.Add("time_ms < @toMs"); args["toMs"] = to.ToUnixTimeMilliseconds(); }
        if (query.AfterSequence is { } after) { where.Add("seq > @after"); args["after"] = after; }
        var sql = $"SELECT {Columns} FROM audit_entries{(where.Count > 0 ? " WHERE " + string.Join(" AND ", where) : "")} ORDER BY seq";
        if (query.Limit is { } limit) { sql += " LIMIT @limit"; args["limit"] = (long)Math.Max(0, limit); }
        return ReadAsync(sql, args, cancellationToken);
    }

    private async IAsyncEnumerable<AuditRow> ReadAsync(string sql, Dictionary<string, object> args, [EnumeratorCancellation] CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        foreach (var (k, v) in args) AddParameter(cmd, k, v);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            yield return new AuditRow(r.GetInt64(0), r.GetString(1), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(2)), r.GetString(3), r.GetString(4),
                new AuditActor { KeyId = Str(r, 5), Principal = Str(r, 6), Agent = Str(r, 7), EndUser = Str(r, 8), Admin = Str(r, 9) },
                Str(r, 10), r.GetString(11), (byte[])r[12], (byte[])r[13], (byte[])r[14], r.IsDBNull(15) ? null : (byte[])r[15]);
        }
    }

    private static string? Str(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    private static void AddParameter(DbCommand cmd, string name, object value)
    {
        var p = cmd.CreateParameter();
        p.ParameterName = "@" + name;
        p.Value = value;
        cmd.Parameters.Add(p);
    }

    public async Task<IReadOnlyDictionary<string, SubjectKeyRecord>> ActiveSubjectKeysAsync(IReadOnlyCollection<string> subjects, CancellationToken cancellationToken = default)
    {
        if (subjects.Count == 0) return new Dictionary<string, SubjectKeyRecord>();
        if (db is SqliteDatabase sqlite) return await ActiveSubjectKeysSqliteAsync(sqlite, subjects, cancellationToken);
        await using var c = await db.OpenAsync(cancellationToken);
        var rows = await c.QueryAsync<KeyRow>(new CommandDefinition(
            "SELECT key_id, subject, wrapped, created_ms, forgotten_ms FROM audit_subject_keys WHERE forgotten_ms IS NULL AND subject = ANY(@subjects)",
            new { subjects = subjects.ToArray() }, cancellationToken: cancellationToken));
        return rows.Select(ToRecord).ToDictionary(k => k.Subject, StringComparer.Ordinal);
    }

    public async Task<SubjectKeyRecord> AddSubjectKeyAsync(SubjectKeyRecord candidate, CancellationToken cancellationToken = default)
    {
        await using var c = await db.OpenAsync(cancellationToken);
        await c.ExecuteAsync(new CommandDefinition(
            "INSERT INTO audit_subject_keys (key_id, subject, wrapped, created_ms) VALUES (@KeyId, @Subject, @Wrapped, @created) ON CONFLICT DO NOTHING",
            new { candidate.KeyId, candidate.Subject, candidate.Wrapped, created = candidate.Created.ToUnixTimeMilliseconds() }, cancellationToken: cancellationToken));
        var live = await c.QuerySingleAsync<KeyRow>(new CommandDefinition(
            "SELECT key_id, subject, wrapped, created_ms, forgotten_ms FROM audit_subject_keys WHERE subject = @Subject AND forgotten_ms IS NULL",
            new { candidate.Subject }, cancellationToken: cancellationToken));
        return ToRecord(live);
    }

    public async Task<SubjectKeyRecord?> SubjectKeyAsync(string keyId, CancellationToken cancellationToken = default)
    {
        await using var c = await db.OpenAsync(cancellationToken);
        var row = await c.QuerySingleOrDefaultAsync<KeyRow>(new CommandDefinition(
            "SELECT key_id, subject, wrapped, created_ms, forgotten_ms FROM audit_subject_keys WHERE key_id = @keyId", new { keyId }, cancellationToken: cancellationToken));
        return row is null ? null : ToRecord(row);
    }

    public async Task<int> ForgetSubjectAsync(string subject, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        await using var c = await db.OpenAsync(cancellationToken);
        return await c.ExecuteAsync(new CommandDefinition(
            "UPDATE audit_subject_keys SET wrapped = NULL, forgotten_ms = @at WHERE subject = @subject AND wrapped IS NOT NULL",
            new { subject, at = at.ToUnixTimeMilliseconds() }, cancellationToken: cancellationToken));
    }

    public async Task<long> PurgePayloadsAsync(string dataClass, DateTimeOffset before, CancellationToken cancellationToken = default)
    {
        await using var c = await db.OpenAsync(cancellationToken);
        return await c.ExecuteAsync(new CommandDefinition(
            "UPDATE audit_entries SET payload = NULL WHERE data_class = @dataClass AND time_ms < @before AND payload IS NOT NULL",
            new { dataClass, before = before.ToUnixTimeMilliseconds() }, cancellationToken: cancellationToken));
    }

    private static SubjectKeyRecord ToRecord(KeyRow r) => new(r.key_id, r.subject, r.wrapped, DateTimeOffset.FromUnixTimeMilliseconds(r.created_ms),
        r.forgotten_ms is { } f ? DateTimeOffset.FromUnixTimeMilliseconds(f) : null);

#pragma warning disable IDE1006, CA1707 // Dapper maps columns by name.
    private sealed record KeyRow(string key_id, string subject, byte[]? wrapped, long created_ms, long? forgotten_ms);
#pragma warning restore IDE1006, CA1707
}

[System.Text.Json.Serialization.JsonSerializable(typeof(IReadOnlyCollection<string>))]
internal sealed partial class AuditStoreJson : System.Text.Json.Serialization.JsonSerializerContext;
