using System.Collections.Concurrent;
using System.Data.Common;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Attest.Server.Gateway;
using Attest.Storage.Keys;
using Microsoft.Extensions.Logging;

namespace Attest.Server.Keys;

/// <summary>
/// Resolves a presented key by its keyed hash: config-declared keys first, then the store, read on
/// every call (indexed on the hash) so a revocation is seen by the next request on every replica.
/// Last use is written at most once a minute per key. A store failure throws, so callers fail closed.
/// Thread-safe.
/// </summary>
public sealed partial class KeyAuthenticator(KeyStore store, ConfigKeys configKeys, KeyPepper pepper, KeyDirectory directory,
    TimeProvider time, ILogger<KeyAuthenticator> logger) : IKeyAuthenticator
{
    /// <summary>Last use is recorded at most this often per key.</summary>
    public static readonly TimeSpan LastUseInterval = TimeSpan.FromMinutes(1);
    private const int MaxKeyLength = 512;

    private readonly ConcurrentDictionary<string, long> _lastTouch = new(StringComparer.Ordinal);

    public async ValueTask<KeyAuthentication> AuthenticateAsync(string? presentedKey, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(presentedKey)) return new(null, KeyFailure.Missing);
        if (presentedKey.Length > MaxKeyLength) return new(null, KeyFailure.Unknown);
        var hash = pepper.Hash(presentedKey);
        var now = time.GetUtcNow();
        if (configKeys.FindByHash(hash) is { } declared)
            return declared.ExpiresAt is { } ce && ce <= now ? new(declared, KeyFailure.Expired) : new(declared, KeyFailure.None);

        var stored = await store.FindByHashAsync(hash, cancellationToken);
        // The lookup is by an HMAC under a secret pepper, so its timing says nothing about the key;
        // the fixed-time comparison makes the match itself explicit.
        if (stored is null || !CryptographicOperations.FixedTimeEquals(MemoryMarshal.AsBytes(stored.KeyHash.AsSpan()), MemoryMarshal.AsBytes(hash.AsSpan())))
            return new(null, KeyFailure.Unknown);
        var key = KeyMapping.ToVirtualKey(stored);
        if (stored.RevokedAt is not null) return new(key, KeyFailure.Revoked);
        if (stored.ExpiresAt is { } e && e <= now) return new(key, KeyFailure.Expired);
        directory.Remember(key);
        await TouchAsync(stored.Id, now, cancellationToken);
        return new(key, KeyFailure.None);
    }

    private async Task TouchAsync(string id, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var ticks = now.UtcTicks;
        var last = _lastTouch.GetOrAdd(id, long.MinValue);
        if (last != long.MinValue && ticks - last < LastUseInterval.Ticks) return;
        if (!_lastTouch.TryUpdate(id, ticks, last)) return; // another request on this replica is writing it
        try { await store.TouchAsync(id, now, LastUseInterval, cancellationToken); }
        catch (DbException e)
        {
            // Last use is bookkeeping, not a control: a failed write must not refuse a valid key.
            LogTouchFailed(logger, id, e.GetType().Name);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not record last use of key {KeyId}: {Error}")]
    private static partial void LogTouchFailed(ILogger logger, string keyId, string error);
}
