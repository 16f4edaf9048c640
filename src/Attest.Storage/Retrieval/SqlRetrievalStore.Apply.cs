using System.Data.Common;
using Attest.Retrieval;

namespace Attest.Storage.Retrieval;

public sealed partial class SqlRetrievalStore
{
    public async Task<IReadOnlyList<bool>> ApplyAsync(string tenant, IReadOnlyList<DocumentMutation> mutations, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var c = await db.OpenAsync(cancellationToken);
        await using var tx = await c.BeginTransactionAsync(cancellationToken);
        var changed = new bool[mutations.Count];
        await using (var s = new Statements(c, tx))
        {
            // First, so the tenant row's lock orders concurrent batches: versions commit in increasing order.
            var version = Convert.ToInt64(await s.BumpVersion.ScalarAsync(cancellationToken, tenant, Iso(now)), System.Globalization.CultureInfo.InvariantCulture);
            for (int i = 0; i < mutations.Count; i++)
            {
                var m = mutations[i];
                var (connector, id) = (m.Key.Connector, m.Key.DocumentId);
                switch (m)
                {
                    case DocumentMutation.Upsert u:
                        var d = u.Document;
                        await s.DeleteChunks.RunAsync(cancellationToken, tenant, connector, id);
                        await s.DeleteAcl.RunAsync(cancellationToken, tenant, connector, id);
                        await s.UpsertDocument.RunAsync(cancellationToken, tenant, connector, id, d.Classification, d.ContentMac, d.MetaCiphertext, d.Chunks.Count, Iso(now));
                        await InsertAclAsync(s, tenant, m.Key, d.Acl, cancellationToken);
                        foreach (var ch in d.Chunks)
                            await s.InsertChunk.RunAsync(cancellationToken, tenant, connector, id, ch.Ordinal, ch.TextCiphertext, ch.Postings, ch.Length, ch.VectorCiphertext);
                        changed[i] = true;
                        break;
                    case DocumentMutation.SetAcl a:
                        if (await s.TouchDocument.RunAsync(cancellationToken, Iso(now), tenant, connector, id) == 0) break;
                        await s.DeleteAcl.RunAsync(cancellationToken, tenant, connector, id);
                        await InsertAclAsync(s, tenant, m.Key, a.Acl, cancellationToken);
                        changed[i] = true;
                        break;
                    case DocumentMutation.Delete:
                        changed[i] = await s.DeleteDocument.RunAsync(cancellationToken, tenant, connector, id) > 0;
                        await s.DeleteAcl.RunAsync(cancellationToken, tenant, connector, id);
                        await s.DeleteChunks.RunAsync(cancellationToken, tenant, connector, id);
                        break;
                }
                if (changed[i]) await s.InsertChange.RunAsync(cancellationToken, tenant, version, connector, id);
            }
        }
        await tx.CommitAsync(cancellationToken);
        return changed;
    }

    private static async Task InsertAclAsync(Statements s, string tenant, DocumentKey key, DocumentAcl acl, CancellationToken ct)
    {
        foreach (var a in acl.Allow) await s.InsertAcl.RunAsync(ct, tenant, key.Connector, key.DocumentId, "allow", a);
        foreach (var a in acl.Deny) await s.InsertAcl.RunAsync(ct, tenant, key.Connector, key.DocumentId, "deny", a);
    }

    /// <summary>The statements of one mutation batch, each prepared once and run per row.</summary>
    private sealed class Statements(DbConnection c, DbTransaction tx) : IAsyncDisposable
    {
        public Statement BumpVersion { get; } = new(c, tx,
            """
            INSERT INTO retrieval_tenants (tenant, version, created_at) VALUES (@tenant, 1, @now)
            ON CONFLICT (tenant) DO UPDATE SET version = retrieval_tenants.version + 1 RETURNING version
            """, "tenant", "now");
        public Statement DeleteChunks { get; } = new(c, tx, "DELETE FROM retrieval_chunks WHERE tenant = @t AND connector = @c AND doc_id = @d", "t", "c", "d");
        public Statement DeleteAcl { get; } = new(c, tx, "DELETE FROM retrieval_acl WHERE tenant = @t AND connector = @c AND doc_id = @d", "t", "c", "d");
        public Statement DeleteDocument { get; } = new(c, tx, "DELETE FROM retrieval_documents WHERE tenant = @t AND connector = @c AND doc_id = @d", "t", "c", "d");
        public Statement TouchDocument { get; } = new(c, tx, "UPDATE retrieval_documents SET updated_at = @now WHERE tenant = @t AND connector = @c AND doc_id = @d", "now", "t", "c", "d");
        public Statement UpsertDocument { get; } = new(c, tx,
            """
            INSERT INTO retrieval_documents (tenant, connector, doc_id, classification, content_mac, meta_ct, chunk_count, updated_at)
            VALUES (@t, @c, @d, @cl, @mac, @meta, @n, @now)
            ON CONFLICT (tenant, connector, doc_id) DO UPDATE SET classification = excluded.classification, content_mac = excluded.content_mac,
              meta_ct = excluded.meta_ct, chunk_count = excluded.chunk_count, updated_at = excluded.updated_at
            """, "t", "c", "d", "cl", "mac", "meta", "n", "now");
        public Statement InsertAcl { get; } = new(c, tx,
            "INSERT INTO retrieval_acl (tenant, connector, doc_id, effect, subject) VALUES (@t, @c, @d, @e, @s) ON CONFLICT DO NOTHING", "t", "c", "d", "e", "s");
        public Statement InsertChunk { get; } = new(c, tx,
            "INSERT INTO retrieval_chunks (tenant, connector, doc_id, ordinal, text_ct, postings, length, vector_ct) VALUES (@t, @c, @d, @o, @x, @p, @l, @v)",
            "t", "c", "d", "o", "x", "p", "l", "v");
        public Statement InsertChange { get; } = new(c, tx,
            "INSERT INTO retrieval_changes (tenant, version, connector, doc_id) VALUES (@t, @v, @c, @d) ON CONFLICT DO NOTHING", "t", "v", "c", "d");

        public async ValueTask DisposeAsync()
        {
            foreach (var s in new[] { BumpVersion, DeleteChunks, DeleteAcl, DeleteDocument, TouchDocument, UpsertDocument, InsertAcl, InsertChunk, InsertChange })
                await s.DisposeAsync();
        }
    }

    private sealed class Statement : IAsyncDisposable
    {
        private readonly DbCommand _cmd;

        public Statement(DbConnection c, DbTransaction tx, string sql, params string[] names)
        {
            _cmd = c.CreateCommand();
            _cmd.Transaction = tx;
            _cmd.CommandText = sql;
            foreach (var n in names)
            {
                var p = _cmd.CreateParameter();
                p.ParameterName = "@" + n;
                _cmd.Parameters.Add(p);
            }
        }

        private void Bind(object?[] values)
        {
            for (int i = 0; i < values.Length; i++) _cmd.Parameters[i].Value = values[i] ?? DBNull.Value;
        }

        public Task<int> RunAsync(CancellationToken ct, params object?[] values)
        {
            Bind(values);
            return _cmd.ExecuteNonQueryAsync(ct);
        }

        public Task<object?> ScalarAsync(CancellationToken ct, params object?[] values)
        {
            Bind(values);
            return _cmd.ExecuteScalarAsync(ct);
        }

        public ValueTask DisposeAsync() => _cmd.DisposeAsync();
    }
}
