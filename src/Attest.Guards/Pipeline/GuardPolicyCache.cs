using System.Collections.Concurrent;
using Attest.Core.Config;

namespace Attest.Guards.Pipeline;

/// <summary>Compiled guard policies per (tenant, agent, route), cached per snapshot by its content hash. Thread-safe.</summary>
public sealed class GuardPolicyCache
{
    private sealed record Entry(string Hash, ConcurrentDictionary<(string, string, string), CompiledGuardPolicy> Policies);
    private Entry? _current;

    /// <summary>The compiled policy; throws <see cref="FormatException"/> when the snapshot's guard policy cannot be compiled.</summary>
    public CompiledGuardPolicy For(PolicySnapshot snapshot, string tenant, string? agent, string? model = null)
    {
        var entry = _current;
        if (entry is null || entry.Hash != snapshot.ContentHash)
        {
            entry = new Entry(snapshot.ContentHash, new());
            _current = entry;
        }
        return entry.Policies.GetOrAdd((tenant, agent ?? "", model ?? ""), static (key, s) =>
        {
            var (t, a, m) = key;
            var applicable = s.Config.Guards.Where(p =>
                (p.Tenants.Count == 0 || p.Tenants.Contains(t, StringComparer.Ordinal)) &&
                (p.Models.Count == 0 || (m.Length > 0 && p.Models.Contains(m, StringComparer.Ordinal))) &&
                (p.Agents.Count == 0 || (a.Length > 0 && p.Agents.Contains(a, StringComparer.Ordinal))));
            var canaries = s.Tenants.TryGetValue(t, out var tenant) ? tenant.Canaries : [];
            return new CompiledGuardPolicy(applicable, canaries);
        }, snapshot);
    }
}
