namespace Attest.Core.Config;

/// <summary>
/// Where each bound value came from: the object (record, list owner or dictionary) and member name
/// map to the line and column of the YAML node. Lookups fall back to the owning node, then to the
/// start of the file, so a validator can always name a position. Keys are object identities (records
/// compare by value, so two equal tenants still have their own positions). Read-only after loading.
/// </summary>
public sealed class SourceMap
{
    private readonly Dictionary<Key, ConfigLocation> _locations = [];

    /// <summary>Position of <paramref name="owner"/>'s node, of its member's value, or of one element of a list member.</summary>
    public ConfigLocation Of(object? owner, string? member = null, int? index = null)
    {
        if (owner is null) return ConfigLocation.Start;
        if (member is not null)
        {
            if (index is { } i && _locations.TryGetValue(new Key(owner, $"{member}[{i}]"), out var element)) return element;
            if (_locations.TryGetValue(new Key(owner, member), out var value)) return value;
        }
        return _locations.TryGetValue(new Key(owner, ""), out var self) ? self : ConfigLocation.Start;
    }

    /// <summary>True when <paramref name="owner"/>'s member was written in the file (not defaulted).</summary>
    public bool Has(object owner, string member) => _locations.ContainsKey(new Key(owner, member));

    internal void Add(object owner, string member, ConfigLocation location) => _locations[new Key(owner, member)] = location;

    private readonly struct Key(object owner, string member) : IEquatable<Key>
    {
        private readonly object _owner = owner;
        private readonly string _member = member;
        public bool Equals(Key other) => ReferenceEquals(_owner, other._owner) && string.Equals(_member, other._member, StringComparison.Ordinal);
        public override bool Equals(object? obj) => obj is Key k && Equals(k);
        public override int GetHashCode() => HashCode.Combine(System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(_owner), StringComparer.Ordinal.GetHashCode(_member));
    }
}
