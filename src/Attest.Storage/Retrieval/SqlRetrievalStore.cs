using System.Data.Common;
using System.Globalization;
using System.Runtime.CompilerServices;
using Attest.Retrieval;
using Dapper;

namespace Attest.Storage.Retrieval;

/// <summary>
/// <see cref="IRetrievalStore"/> on SQLite or PostgreSQL. A mutation batch is one transaction that also bumps the
/// tenant's version (the row lock orders concurrent writers, so versions commit in order) and appends the change feed.
/// Thread-safe.
/// </summary>
public sealed partial class SqlRetrievalStore(AttestDatabase db) : IRetrievalStore
{
    private const int KeysPerStatement = 100;

    public async Task<byte[]?> GetWrappedTenantKeyAsync(string tenant, CancellationToken cancellationToken = default)
    {
        await using var c = await db.OpenAsync(cancellationToken);
        return await c.ExecuteScalarAsync<byte[]?>(new CommandDefinition(
            "SELECT wrapped_key FROM retrieval_tenants WHERE tenant = @tenant", new { tenant }, cancellationToken: cancellationToken));
    }

    public async Task<byte[]> AddWrappedTenantKeyAsync(string tenant, byte[] wrapped, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var c = await db.OpenAsync(cancellationToken);
        await c.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO retrieval_tenants (tenant, version, wrapped_key, created_at) VALUES (@tenant, 0, @wrapped, @now)
            ON CONFLICT (tenant) DO UPDATE SET wrapped_key = COALESCE(retrieval_tenants.wrapped_key, excluded.wrapped_key)
            """, new { tenant, wrapped, now = Iso(now) }, cancellationToken: cancellationToken));
        return await c.ExecuteScalarAsync<byte[]>(new CommandDefinition(
            "SELECT wrapped_key FROM retrieval_tenants WHERE tenant = @tenant", new { tenant }, cancellationToken: cancellationToken))
            ?? throw new InvalidOperationException("tenant key row vanished");
    }

    public async Task<long> GetVersionAsync(string tenant, CancellationToken cancellationToken = default)
    {
        await using var c = await db.OpenAsync(cancellationToken);
        return await c.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT version FROM retrieval_tenants WHERE tenant = @tenant", new { tenant }, cancellationToken: cancellationToken)) ?? 0;
    }

    public async Task<(IReadOnlyList<DocumentKey> Keys, long Version)> GetChangesAsync(string tenant, long afterVersion, CancellationToken cancellationToken = default)
    {
        await using var c = await db.OpenAsync(cancellationToken);
        var rows = (await c.QueryAsync<(long Version, string Connector, string DocId)>(new CommandDefinition(
            "SELECT version, connector, doc_id FROM retrieval_changes WHERE tenant = @tenant AND version > @afterVersion ORDER BY version",
            new { tenant, afterVersion }, cancellationToken: cancellationToken))).ToList();
        return ([.. rows.Select(r => new DocumentKey(r.Connector, r.DocId)).Distinct()], rows.Count == 0 ? afterVersion : rows[^1].Version);
    }

    public async Task<IReadOnlyDictionary<DocumentKey, DocumentState>> GetDocumentStatesAsync(string tenant, IReadOnlyList<DocumentKey> keys, CancellationToken cancellationToken = default)
    {
        var result = new Dictionary<DocumentKey, DocumentState>();
        if (keys.Count == 0) return result;
        await using var c = await db.OpenAsync(cancellationToken);
        foreach (var batch in keys.Chunk(KeysPerStatement))
        {
            var (where, p) = KeyFilter(tenant, batch);
            var docs = await c.QueryAsync<(string Connector, string DocId, string Mac, string Classification)>(new CommandDefinition(
                $"SELECT connector, doc_id, content_mac, classification FROM retrieval_documents WHERE {where}", p, cancellationToken: cancellationToken));
            var acls = await LoadAclAsync(c, $"SELECT connector, doc_id, effect, subject FROM retrieval_acl WHERE {where}", p, cancellationToken);
            foreach (var d in docs)
            {
                var k = new DocumentKey(d.Connector, d.DocId);
                result[k] = new DocumentState(d.Mac, acls.GetValueOrDefault(k) ?? DocumentAcl.Of([]), d.Classification);
            }
        }
        return result;
    }

    public async Task<IReadOnlyList<ChunkPayload>> LoadPayloadsAsync(string tenant, IReadOnlyList<(DocumentKey Key, int Ordinal)> chunks, CancellationToken cancellationToken = default)
    {
        var result = new List<ChunkPayload>(chunks.Count);
        await using var c = await db.OpenAsync(cancellationToken);
        foreach (var batch in chunks.Chunk(KeysPerStatement))
        {
            var p = new DynamicParameters();
            p.Add("tenant", tenant);
            var terms = new List<string>();
            for (int i = 0; i < batch.Length; i++)
            {
                terms.Add($"(c.connector = @c{i} AND c.doc_id = @d{i} AND c.ordinal = @o{i})");
                p.Add($"c{i}", batch[i].Key.Connector);
                p.Add($"d{i}", batch[i].Key.DocumentId);
                p.Add($"o{i}", batch[i].Ordinal);
            }
            var rows = await c.QueryAsync<(string Connector, string DocId, long Ordinal, byte[] Text, byte[] Meta)>(new CommandDefinition(
                $"""
                SELECT c.connector, c.doc_id, c.ordinal, c.text_ct, d.meta_ct FROM retrieval_chunks c
                JOIN retrieval_documents d ON d.tenant = c.tenant AND d.connector = c.connector AND d.doc_id = c.doc_id
                WHERE c.tenant = @tenant AND ({string.Join(" OR ", terms)})
                """, p, cancellationToken: cancellationToken));
            result.AddRange(rows.Select(r => new ChunkPayload(new DocumentKey(r.Connector, r.DocId), (int)r.Ordinal, r.Text, r.Meta)));
        }
        return result;
    }

    public async IAsyncEnumerable<IndexedDocument> LoadIndexAsync(string tenant, IReadOnlyList<DocumentKey>? only, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var c = await db.OpenAsync(cancellationToken);
        var batches = only is null ? [null] : only.Chunk(KeysPerStatement).Select(b => (DocumentKey[]?)b).ToList();
        foreach (var batch in batches)
        {
            var (where, p) = batch is null ? ("tenant = @tenant", new DynamicParameters(new { tenant })) : KeyFilter(tenant, batch);
            var docs = (await c.QueryAsync<(string Connector, string DocId, string Classification, string Mac)>(new CommandDefinition(
                $"SELECT connector, doc_id, classification, content_mac FROM retrieval_documents WHERE {where}", p, cancellationToken: cancellationToken)))
                .ToDictionary(d => new DocumentKey(d.Connector, d.DocId));
            var acls = await LoadAclAsync(c, $"SELECT connector, doc_id, effect, subject FROM retrieval_acl WHERE {where}", p, cancellationToken);
            await using var cmd = c.CreateCommand();
            cmd.CommandText = $"SELECT connector, doc_id, ordinal, postings, length, vector_ct FROM retrieval_chunks WHERE {where} ORDER BY connector, doc_id, ordinal";
            foreach (var name in p.ParameterNames) AddParameter(cmd, name, p.Get<object>(name));
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
            DocumentKey? current = null;
            var chunks = new List<IndexedChunk>();
            while (await reader.ReadAsync(cancellationToken))
            {
                var key = new DocumentKey(reader.GetString(0), reader.GetString(1));
                if (current is { } k && k != key)
                {
                    if (docs.TryGetValue(k, out var d)) yield return Doc(d, k, acls, chunks);
                    chunks = [];
                }
                current = key;
                chunks.Add(new IndexedChunk(reader.GetInt32(2), reader.GetFieldValue<byte[]>(3), reader.GetInt32(4),
                    await reader.IsDBNullAsync(5, cancellationToken) ? null : reader.GetFieldValue<byte[]>(5)));
            }
            if (current is { } last && docs.TryGetValue(last, out var ld)) yield return Doc(ld, last, acls, chunks);
        }
    }

    private static IndexedDocument Doc((string Connector, string DocId, string Classification, string Mac) d, DocumentKey key,
        Dictionary<DocumentKey, DocumentAcl> acls, List<IndexedChunk> chunks) =>
        new(key, d.Classification, d.Mac, acls.GetValueOrDefault(key) ?? DocumentAcl.Of([]), chunks);

    private static async Task<Dictionary<DocumentKey, DocumentAcl>> LoadAclAsync(DbConnection c, string sql, DynamicParameters p, CancellationToken ct)
    {
        var rows = await c.QueryAsync<(string Connector, string DocId, string Effect, string Subject)>(new CommandDefinition(sql, p, cancellationToken: ct));
        return rows.GroupBy(r => new DocumentKey(r.Connector, r.DocId)).ToDictionary(g => g.Key,
            g => DocumentAcl.Of(g.Where(r => r.Effect == "allow").Select(r => r.Subject), g.Where(r => r.Effect == "deny").Select(r => r.Subject)));
    }

    private static (string Where, DynamicParameters Parameters) KeyFilter(string tenant, IReadOnlyList<DocumentKey> keys)
    {
        var p = new DynamicParameters();
        p.Add("tenant", tenant);
        var terms = new List<string>(keys.Count);
        for (int i = 0; i < keys.Count; i++)
        {
            terms.Add($"(connector = @c{i} AND doc_id = @d{i})");
            p.Add($"c{i}", keys[i].Connector);
            p.Add($"d{i}", keys[i].DocumentId);
        }
        return ($"tenant = @tenant AND ({string.Join(" OR ", terms)})", p);
    }

    private static void AddParameter(DbCommand cmd, string name, object? value)
    {
        var prm = cmd.CreateParameter();
        prm.ParameterName = "@" + name;
        prm.Value = value ?? DBNull.Value;
        cmd.Parameters.Add(prm);
    }

    private static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
}
