using System.Collections.Concurrent;
using Attest.Server.Gateway;
using Attest.Storage.Keys;

namespace Attest.Server.Keys;

/// <summary>
/// Key records by id for the limiter (per-key rpm/tpm): the record seen at the latest successful
/// authentication on this replica, else config, else the store. Only limits are read from here;
/// validity is always decided by <see cref="KeyAuthenticator"/>. Thread-safe.
/// </summary>
public sealed class KeyDirectory(KeyStore store, ConfigKeys configKeys)
{
    private readonly ConcurrentDictionary<string, VirtualKey> _byId = new(StringComparer.Ordinal);

    public void Remember(VirtualKey key) => _byId[key.Id] = key;

    public async ValueTask<VirtualKey?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        if (_byId.TryGetValue(id, out var k)) return k;
        if (configKeys.FindById(id) is { } declared) return declared;
        if (await store.GetAsync(id, cancellationToken) is { } stored)
        {
            var v = KeyMapping.ToVirtualKey(stored);
            _byId[id] = v;
            return v;
        }
        return null;
    }
}
