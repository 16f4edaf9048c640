using System.Collections.Concurrent;

namespace Attest.Guards.Redaction;

/// <summary>
/// Where conversation-scoped pseudonym mappings live. Keys are digests (never raw ids or values); values are
/// AES-GCM ciphertexts sealed by <see cref="PseudonymVault"/>. Implementations must be thread-safe. The server
/// uses a durable, shared store (Attest.Storage's <c>SqlPseudonymStore</c>) so a restart or another replica
/// restores the same placeholders; <see cref="InMemoryPseudonymStore"/> serves the CLI and tests.
/// A binding, once made, never changes until the conversation expires; two callers binding the same value in
/// the same scope at once must get the same placeholder, and two different values never share one.
/// </summary>
public interface IPseudonymStore
{
    /// <summary>Returns the placeholder already bound to <paramref name="valueDigest"/> in the scope, or binds a new one made by <paramref name="create"/> (given the next number for the label).</summary>
    string GetOrAdd(string scopeId, string valueDigest, string label, Func<int, (string Placeholder, byte[] Sealed)> create, DateTimeOffset expires);

    /// <summary>The sealed value behind a placeholder, or null when unknown or expired.</summary>
    byte[]? Find(string scopeId, string placeholder, DateTimeOffset now);

    /// <summary>Deletes every mapping of conversations expired before <paramref name="now"/>; returns how many bindings went.</summary>
    int Purge(DateTimeOffset now);
}

/// <summary>
/// In-process store with a time-to-live per conversation (renewed on use). Given a clock, an expired conversation
/// starts afresh when used again (as the SQL store does); without one it is only dropped by lookups and
/// <see cref="Purge"/>. Thread-safe.
/// </summary>
public sealed class InMemoryPseudonymStore(TimeProvider? time = null) : IPseudonymStore
{
    private sealed class Scope
    {
        public readonly Dictionary<string, string> ByValue = new(StringComparer.Ordinal);
        public readonly Dictionary<string, byte[]> ByPlaceholder = new(StringComparer.Ordinal);
        public readonly Dictionary<string, int> Counters = new(StringComparer.Ordinal);
        public DateTimeOffset Expires;
    }

    private readonly ConcurrentDictionary<string, Scope> _scopes = new(StringComparer.Ordinal);

    public int Count => _scopes.Count;

    public string GetOrAdd(string scopeId, string valueDigest, string label, Func<int, (string Placeholder, byte[] Sealed)> create, DateTimeOffset expires)
    {
        var scope = _scopes.GetOrAdd(scopeId, _ => new Scope());
        lock (scope)
        {
            if (time is not null && scope.Expires != default && scope.Expires < time.GetUtcNow())
            {
                scope.ByValue.Clear();
                scope.ByPlaceholder.Clear();
                scope.Counters.Clear();
            }
            scope.Expires = expires;
            if (scope.ByValue.TryGetValue(valueDigest, out var existing)) return existing;
            int n = scope.Counters.GetValueOrDefault(label) + 1;
            scope.Counters[label] = n;
            var (placeholder, sealedValue) = create(n);
            scope.ByValue[valueDigest] = placeholder;
            scope.ByPlaceholder[placeholder] = sealedValue;
            return placeholder;
        }
    }

    public byte[]? Find(string scopeId, string placeholder, DateTimeOffset now)
    {
        if (!_scopes.TryGetValue(scopeId, out var scope)) return null;
        lock (scope)
        {
            if (scope.Expires < now)
            {
                _scopes.TryRemove(scopeId, out _);
                return null;
            }
            return scope.ByPlaceholder.GetValueOrDefault(placeholder);
        }
    }

    /// <summary>Drops expired conversations.</summary>
    public int Purge(DateTimeOffset now)
    {
        int removed = 0;
        foreach (var (id, scope) in _scopes)
        {
            lock (scope)
            {
                if (scope.Expires < now && _scopes.TryRemove(id, out _)) removed += scope.ByValue.Count;
            }
        }
        return removed;
    }
}
