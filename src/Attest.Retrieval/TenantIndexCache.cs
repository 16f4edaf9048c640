using System.Collections.Concurrent;

namespace Attest.Retrieval;

/// <summary>
/// Per-tenant in-memory indexes kept in step with the store. Before every search the tenant's version is read from
/// the store; any newer change (ingestion, deletion, ACL change — by this replica or another) is applied first, so a
/// revoked permission holds from the next query on. Thread-safe.
/// </summary>
public sealed class TenantIndexCache(IRetrievalStore store, TenantKeyring keys)
{
    private readonly ConcurrentDictionary<string, TenantIndex> _indexes = new(StringComparer.Ordinal);

    /// <summary>Returns the tenant's index, current as of the store's version at the time of the call.</summary>
    public async Task<TenantIndex> GetCurrentAsync(string tenant, CancellationToken cancellationToken = default)
    {
        var version = await store.GetVersionAsync(tenant, cancellationToken);
        var index = _indexes.GetOrAdd(tenant, t => new TenantIndex(t));
        if (index.Loaded && index.Version >= version && !index.NeedsCompaction) return index;
        var gated = index;
        await gated.RefreshGate.WaitAsync(cancellationToken);
        try
        {
            index = _indexes[tenant];
            if (index.Loaded && index.Version >= version && !index.NeedsCompaction) return index;
            var key = await keys.GetAsync(tenant, cancellationToken);
            if (!index.Loaded || index.NeedsCompaction)
            {
                // Full (re)build: read the version first, so changes racing with the load are re-applied later.
                var fresh = new TenantIndex(tenant);
                var docs = new List<IndexedDocument>();
                await foreach (var d in store.LoadIndexAsync(tenant, null, cancellationToken)) docs.Add(d);
                fresh.Apply(docs, [], version, (d, c) => DecryptVector(key, tenant, d, c));
                _indexes[tenant] = fresh;
                return fresh;
            }
            var (changed, upTo) = await store.GetChangesAsync(tenant, index.Version, cancellationToken);
            var present = new List<IndexedDocument>();
            if (changed.Count > 0)
                await foreach (var d in store.LoadIndexAsync(tenant, changed, cancellationToken)) present.Add(d);
            index.Apply(present, changed, Math.Max(upTo, version), (d, c) => DecryptVector(key, tenant, d, c));
            return index;
        }
        finally
        {
            gated.RefreshGate.Release();
        }
    }

    private static float[]? DecryptVector(TenantKey key, string tenant, IndexedDocument d, IndexedChunk c)
    {
        if (c.VectorCiphertext is null) return null;
        var bytes = key.Decrypt(c.VectorCiphertext, TenantKey.VectorContext(tenant, d.Key.Connector, d.Key.DocumentId, c.Ordinal));
        var v = new float[bytes.Length / sizeof(float)];
        Buffer.BlockCopy(bytes, 0, v, 0, v.Length * sizeof(float));
        return v;
    }
}
