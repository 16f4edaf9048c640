using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Attest.Retrieval;

/// <summary>Hands out each tenant's keys: unwrapped from the store with the master key, or created (random) on first use. Thread-safe.</summary>
public sealed class TenantKeyring(IRetrievalStore store, MasterKey master, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Lazy<Task<TenantKey>>> _keys = new(StringComparer.Ordinal);

    public async Task<TenantKey> GetAsync(string tenant, CancellationToken cancellationToken = default)
    {
        var lazy = _keys.GetOrAdd(tenant, t => new Lazy<Task<TenantKey>>(() => LoadAsync(t, CancellationToken.None)));
        try
        {
            return await lazy.Value.WaitAsync(cancellationToken);
        }
        catch (Exception) when (lazy.Value.IsFaulted || lazy.Value.IsCanceled)
        {
            // A failed load (e.g. the database was briefly unreachable) is not cached: the next call tries again.
            _keys.TryRemove(new(tenant, lazy));
            throw;
        }
    }

    private async Task<TenantKey> LoadAsync(string tenant, CancellationToken cancellationToken)
    {
        var wrapped = await store.GetWrappedTenantKeyAsync(tenant, cancellationToken);
        if (wrapped is null)
        {
            var root = RandomNumberGenerator.GetBytes(32);
            wrapped = await store.AddWrappedTenantKeyAsync(tenant, master.Wrap(tenant, root), time.GetUtcNow(), cancellationToken);
        }
        return new TenantKey(tenant, master.Unwrap(tenant, wrapped));
    }
}
