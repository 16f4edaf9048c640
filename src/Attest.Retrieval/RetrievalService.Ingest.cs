using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Attest.Core.Audit;
using Attest.Core.Identity;

namespace Attest.Retrieval;

public sealed partial class RetrievalService
{
    /// <summary>
    /// Ingests a batch for the identity's tenant in one transaction. Idempotent by (connector, id, content): the same
    /// content again is <see cref="IngestStatus.Unchanged"/>; the same content with a new ACL only changes permissions.
    /// </summary>
    public async Task<IReadOnlyList<IngestOutcome>> IngestAsync(RequestIdentity identity, IReadOnlyList<DocumentInput> documents, CancellationToken cancellationToken = default)
    {
        var tenant = identity.Tenant;
        if (documents.Count == 0) throw new RetrievalException("documents_required", "the batch holds no documents", "documents");
        if (documents.Count > Options.MaxBatch) throw new RetrievalException("batch_too_large", $"at most {Options.MaxBatch} documents per call", "documents");
        var policy = _policy.Current;
        var classifications = new string[documents.Count];
        var seen = new HashSet<DocumentKey>();
        for (int i = 0; i < documents.Count; i++)
        {
            var d = documents[i];
            var p = $"documents[{i}]";
            if (string.IsNullOrWhiteSpace(d.Id) || d.Id.Length > 512) throw new RetrievalException("invalid_document_id", "a document id must be 1–512 characters", p + ".id");
            if (string.IsNullOrWhiteSpace(d.Text)) throw new RetrievalException("text_required", $"document '{Truncate(d.Id)}' has no text", p + ".text");
            if (d.Text.Length > Options.MaxDocumentChars) throw new RetrievalException("document_too_large", $"document '{Truncate(d.Id)}' exceeds {Options.MaxDocumentChars} characters", p + ".text");
            try { classifications[i] = ConnectorCatalog.Require(policy, d.Connector, tenant).Classification!; }
            catch (RetrievalException e) { throw new RetrievalException(e.Code, e.Message, p + ".connector", e.Forbidden); }
            ValidateAcl(d.Acl, p + ".acl");
            if (!seen.Add(new DocumentKey(d.Connector, d.Id))) throw new RetrievalException("duplicate_document", $"document '{Truncate(d.Id)}' appears twice in the batch", p + ".id");
        }

        var key = await _keys.GetAsync(tenant, cancellationToken);
        var states = await _store.GetDocumentStatesAsync(tenant, [.. seen], cancellationToken);
        var outcomes = new IngestOutcome[documents.Count];
        var perDocument = new DocumentMutation?[documents.Count];
        var macs = new string[documents.Count];
        var toBuild = new List<int>();
        for (int i = 0; i < documents.Count; i++)
        {
            var d = documents[i];
            var docKey = new DocumentKey(d.Connector, d.Id);
            var mac = macs[i] = key.ContentMac(d.Title ?? "", d.Text, d.SourceUrl ?? "");
            states.TryGetValue(docKey, out var state);
            if (state is not null && state.ContentMac == mac && state.Classification == classifications[i])
            {
                if (state.Acl.SameAs(d.Acl)) { outcomes[i] = new(d.Connector, d.Id, IngestStatus.Unchanged, 0); continue; }
                perDocument[i] = new DocumentMutation.SetAcl(docKey, d.Acl);
                outcomes[i] = new(d.Connector, d.Id, IngestStatus.AclUpdated, 0);
                continue;
            }
            outcomes[i] = new(d.Connector, d.Id, state is null ? IngestStatus.Ingested : IngestStatus.Updated, 0);
            toBuild.Add(i);
        }
        // Chunking, term hashing and encryption are CPU-bound and independent per document: spread them over the cores.
        var built = new StoredDocument[documents.Count];
        await Parallel.ForEachAsync(toBuild, new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = Environment.ProcessorCount },
            async (i, ct) => built[i] = await BuildAsync(key, tenant, documents[i], classifications[i], macs[i], ct));
        var mutations = new List<DocumentMutation>();
        int chunkTotal = 0;
        for (int i = 0; i < documents.Count; i++)
        {
            if (built[i] is { } stored)
            {
                chunkTotal += stored.Chunks.Count;
                perDocument[i] = new DocumentMutation.Upsert(stored);
                outcomes[i] = outcomes[i] with { Chunks = stored.Chunks.Count };
            }
            if (perDocument[i] is { } m) mutations.Add(m);
        }
        if (mutations.Count > 0) await _store.ApplyAsync(tenant, mutations, _time.GetUtcNow(), cancellationToken);
        LogIngested(_logger, tenant, mutations.Count, documents.Count, chunkTotal);
        for (int i = 0; i < documents.Count; i++)
        {
            var o = outcomes[i];
            var attrs = new Dictionary<string, string>
            {
                ["connector"] = o.Connector, ["document"] = o.DocumentId, ["status"] = StatusName(o.Status),
                ["chunks"] = o.Chunks.ToString(CultureInfo.InvariantCulture), ["classification"] = classifications[i],
            };
            await _audit.AppendAsync(new AuditRecord
            {
                Type = o.Status == IngestStatus.AclUpdated ? AuditEventTypes.AclChanged : AuditEventTypes.DocumentIngested,
                Tenant = tenant, Actor = Actor(identity), Subject = $"{tenant}/tenant", DataClass = "documents",
                Decision = "allow", Attributes = attrs, Payload = AclPayload(documents[i].Acl),
            }, cancellationToken);
        }
        return outcomes;
    }

    /// <summary>Removes a document and its chunks. Throws (not found) when the tenant has no such document.</summary>
    public async Task DeleteAsync(RequestIdentity identity, string connector, string documentId, CancellationToken cancellationToken = default)
    {
        var changed = await _store.ApplyAsync(identity.Tenant, [new DocumentMutation.Delete(new DocumentKey(connector, documentId))], _time.GetUtcNow(), cancellationToken);
        if (!changed[0]) throw new RetrievalException("document_not_found", $"no document '{Truncate(documentId)}' from connector '{Truncate(connector)}' in this tenant", "id", notFound: true);
        await _audit.AppendAsync(new AuditRecord
        {
            Type = AuditEventTypes.DocumentDeleted, Tenant = identity.Tenant, Actor = Actor(identity), Subject = $"{identity.Tenant}/tenant",
            DataClass = "documents", Decision = "allow",
            Attributes = new Dictionary<string, string> { ["connector"] = connector, ["document"] = documentId },
        }, cancellationToken);
    }

    /// <summary>Replaces a document's ACL without re-ingesting it; effective from the next query on every replica.</summary>
    public async Task SetAclAsync(RequestIdentity identity, string connector, string documentId, DocumentAcl acl, CancellationToken cancellationToken = default)
    {
        ValidateAcl(acl, "acl");
        var changed = await _store.ApplyAsync(identity.Tenant, [new DocumentMutation.SetAcl(new DocumentKey(connector, documentId), acl)], _time.GetUtcNow(), cancellationToken);
        if (!changed[0]) throw new RetrievalException("document_not_found", $"no document '{Truncate(documentId)}' from connector '{Truncate(connector)}' in this tenant", "id", notFound: true);
        await _audit.AppendAsync(new AuditRecord
        {
            Type = AuditEventTypes.AclChanged, Tenant = identity.Tenant, Actor = Actor(identity), Subject = $"{identity.Tenant}/tenant",
            DataClass = "documents", Decision = "allow",
            Attributes = new Dictionary<string, string>
            {
                ["connector"] = connector, ["document"] = documentId,
                ["allow_count"] = acl.Allow.Count.ToString(CultureInfo.InvariantCulture), ["deny_count"] = acl.Deny.Count.ToString(CultureInfo.InvariantCulture),
            },
            Payload = AclPayload(acl),
        }, cancellationToken);
    }

    private async Task<StoredDocument> BuildAsync(TenantKey key, string tenant, DocumentInput d, string classification, string mac, CancellationToken cancellationToken)
    {
        var texts = Chunker.Split(d.Text, Options.ChunkWords, Options.ChunkOverlapWords);
        IReadOnlyList<float[]>? vectors = Hybrid ? await _embedder!.EmbedAsync(texts, cancellationToken) : null;
        var chunks = new StoredChunk[texts.Count];
        for (int c = 0; c < texts.Count; c++)
        {
            var terms = Tokenizer.Terms(texts[c]);
            var postings = PostingsCodec.Encode(PostingsCodec.Frequencies(key, terms));
            byte[]? vector = vectors is null ? null
                : key.Encrypt(MemoryMarshal.AsBytes(vectors[c].AsSpan()), TenantKey.VectorContext(tenant, d.Connector, d.Id, c));
            chunks[c] = new StoredChunk(c, key.EncryptString(texts[c], TenantKey.ChunkContext(tenant, d.Connector, d.Id, c)), postings, terms.Count, vector);
        }
        var meta = JsonSerializer.SerializeToUtf8Bytes(new DocumentMeta(d.Title, d.SourceUrl), RetrievalJson.Default.DocumentMeta);
        return new StoredDocument
        {
            Key = new DocumentKey(d.Connector, d.Id), Classification = classification, ContentMac = mac,
            MetaCiphertext = key.Encrypt(meta, TenantKey.MetaContext(tenant, d.Connector, d.Id)), Acl = d.Acl, Chunks = chunks,
        };
    }

    private static System.Text.Json.Nodes.JsonObject AclPayload(DocumentAcl acl) => new()
    {
        ["allow"] = new System.Text.Json.Nodes.JsonArray([.. acl.Allow.Select(a => (System.Text.Json.Nodes.JsonNode?)a)]),
        ["deny"] = new System.Text.Json.Nodes.JsonArray([.. acl.Deny.Select(a => (System.Text.Json.Nodes.JsonNode?)a)]),
    };

    public static string StatusName(IngestStatus s) => s switch
    {
        IngestStatus.Ingested => "ingested",
        IngestStatus.Updated => "updated",
        IngestStatus.Unchanged => "unchanged",
        _ => "acl_updated",
    };
}
