using System.Collections.Frozen;
using Attest.Core.Config;
using Attest.Server.Gateway;
using Attest.Storage.Keys;

namespace Attest.Server.Keys;

/// <summary>
/// Keys declared in <c>attest.yaml</c> (<c>keys:</c>, secret by reference), indexed by keyed hash.
/// Rebuilt when the policy snapshot changes; secrets are resolved at that moment. Thread-safe.
/// </summary>
public sealed class ConfigKeys(KeyPepper pepper, IPolicySource policy)
{
    private sealed record Index(PolicySnapshot Snapshot, FrozenDictionary<string, VirtualKey> ByHash, FrozenDictionary<string, VirtualKey> ById);

    private volatile Index? _index;

    public VirtualKey? FindByHash(string keyHash) => Current().ByHash.GetValueOrDefault(keyHash);

    public VirtualKey? FindById(string id) => Current().ById.GetValueOrDefault(id);

    private Index Current()
    {
        var snapshot = policy.Current;
        var index = _index;
        if (index is not null && ReferenceEquals(index.Snapshot, snapshot)) return index;
        var byHash = new Dictionary<string, VirtualKey>(StringComparer.Ordinal);
        var byId = new Dictionary<string, VirtualKey>(StringComparer.Ordinal);
        foreach (var k in snapshot.Config.Keys)
        {
            var v = KeyMapping.FromConfig(k, "(config)");
            byId[k.Id] = v;
            if (snapshot.ResolveSecret(k.Secret) is { Length: > 0 } secret) byHash[pepper.Hash(secret)] = v;
        }
        index = new Index(snapshot, byHash.ToFrozenDictionary(StringComparer.Ordinal), byId.ToFrozenDictionary(StringComparer.Ordinal));
        _index = index;
        return index;
    }
}
