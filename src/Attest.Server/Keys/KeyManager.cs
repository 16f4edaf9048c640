using Attest.Core.Audit;
using Attest.Core.Config;
using Attest.Server.Gateway;
using Attest.Storage.Keys;

namespace Attest.Server.Keys;

/// <summary>A key just issued: <see cref="Key"/> is shown once and never stored.</summary>
public sealed record IssuedKey(string Key, VirtualKey Record);

/// <summary>
/// Creates, lists, revokes and rotates virtual keys, writing <c>key.created</c>, <c>key.rotated</c>
/// and <c>key.revoked</c> audit records. A create or rotate whose audit record cannot be written is
/// undone (fail closed); a revocation is never undone, and the audit failure is reported. Thread-safe.
/// </summary>
public sealed class KeyManager(KeyStore store, KeyPepper pepper, IPolicySource policy, TimeProvider time, IAuditLog audit)
{
    /// <summary>Default overlap of a rotation: the old key stays valid this long.</summary>
    public static readonly TimeSpan DefaultOverlap = TimeSpan.FromHours(24);

    public async Task<IssuedKey> CreateAsync(KeyRequest request, string actor, CancellationToken cancellationToken = default)
    {
        Validate(request);
        var now = time.GetUtcNow();
        var key = KeyMaterial.NewKey();
        var stored = new StoredKey
        {
            Id = KeyMaterial.NewId(), KeyHash = pepper.Hash(key), DisplayPrefix = KeyMaterial.DisplayPrefix(key),
            Tenant = request.Tenant, Agent = request.Agent, Principal = request.Principal,
            Models = [.. request.Models.Distinct(StringComparer.Ordinal)],
            Scopes = request.Scopes.Count == 0 ? KeyScopes.Default : [.. request.Scopes.Distinct(StringComparer.Ordinal)],
            RequestsPerMinute = request.RequestsPerMinute, TokensPerMinute = request.TokensPerMinute,
            CreatedAt = now, ExpiresAt = request.ExpiresIn is { } e ? now + e : null,
        };
        await store.CreateAsync(stored, cancellationToken);
        try { await AuditAsync(AuditEventTypes.KeyCreated, stored, actor, null, cancellationToken); }
        catch
        {
            await store.DeleteAsync(stored.Id, CancellationToken.None);
            throw;
        }
        return new IssuedKey(key, KeyMapping.ToVirtualKey(stored));
    }

    /// <summary>Stored keys (newest first) followed by keys declared in config.</summary>
    public async Task<IReadOnlyList<VirtualKey>> ListAsync(string? tenant = null, CancellationToken cancellationToken = default)
    {
        var stored = await store.ListAsync(tenant, cancellationToken);
        var declared = policy.Current.Config.Keys
            .Where(k => tenant is null || k.Tenant == tenant)
            .Select(k => KeyMapping.FromConfig(k, displayPrefix: "(config)"));
        return [.. stored.Select(KeyMapping.ToVirtualKey), .. declared];
    }

    public async Task<VirtualKey?> GetAsync(string id, CancellationToken cancellationToken = default) =>
        await store.GetAsync(id, cancellationToken) is { } k ? KeyMapping.ToVirtualKey(k) : null;

    /// <summary>Revokes now; the next request with the key is refused on every replica. Null when unknown.</summary>
    public async Task<VirtualKey?> RevokeAsync(string id, string actor, CancellationToken cancellationToken = default)
    {
        RefuseConfigKey(id);
        var existing = await store.GetAsync(id, cancellationToken);
        if (existing is null) return null;
        if (existing.RevokedAt is not null) return KeyMapping.ToVirtualKey(existing);
        var now = time.GetUtcNow();
        await store.RevokeAsync(id, now, cancellationToken);
        var revoked = existing with { RevokedAt = now };
        await AuditAsync(AuditEventTypes.KeyRevoked, revoked, actor, null, cancellationToken);
        return KeyMapping.ToVirtualKey(revoked);
    }

    /// <summary>
    /// Issues a new key with the same tenant, agent, scopes, models and limits, and keeps the old one
    /// valid for <paramref name="overlap"/> (default 24 h). Null when the key is unknown.
    /// </summary>
    public async Task<IssuedKey?> RotateAsync(string id, TimeSpan? overlap, string actor, CancellationToken cancellationToken = default)
    {
        RefuseConfigKey(id);
        var window = overlap ?? DefaultOverlap;
        if (window < TimeSpan.Zero) throw new KeyRequestException("invalid_overlap", "overlap must not be negative", "overlap");
        var old = await store.GetAsync(id, cancellationToken);
        if (old is null) return null;
        var now = time.GetUtcNow();
        if (!old.IsActive(now)) throw new KeyRequestException("key_inactive", $"key {id} is revoked or expired and cannot be rotated", "id");
        var key = KeyMaterial.NewKey();
        var fresh = old with
        {
            Id = KeyMaterial.NewId(), KeyHash = pepper.Hash(key), DisplayPrefix = KeyMaterial.DisplayPrefix(key),
            CreatedAt = now, LastUsedAt = null, RevokedAt = null, RotatedFrom = old.Id,
        };
        var oldExpiry = now + window;
        if (old.ExpiresAt is { } e && e < oldExpiry) oldExpiry = e;
        await store.CreateAsync(fresh, cancellationToken);
        await store.SetExpiryAsync(old.Id, oldExpiry, cancellationToken);
        try { await AuditAsync(AuditEventTypes.KeyRotated, fresh, actor, oldExpiry, cancellationToken); }
        catch
        {
            await store.SetExpiryAsync(old.Id, old.ExpiresAt, CancellationToken.None);
            await store.DeleteAsync(fresh.Id, CancellationToken.None);
            throw;
        }
        return new IssuedKey(key, KeyMapping.ToVirtualKey(fresh));
    }

    private void Validate(KeyRequest r)
    {
        var snapshot = policy.Current;
        if (string.IsNullOrWhiteSpace(r.Tenant)) throw new KeyRequestException("missing_tenant", "tenant is required", "tenant");
        if (snapshot.Tenants.Count > 0 && !snapshot.Tenants.ContainsKey(r.Tenant))
            throw new KeyRequestException("unknown_tenant", $"tenant '{r.Tenant}' is not declared in attest.yaml", "tenant");
        if (r.Agent is { } a && snapshot.Agents.Count > 0 && !snapshot.Agents.ContainsKey(a))
            throw new KeyRequestException("unknown_agent", $"agent '{a}' is not declared in attest.yaml", "agent");
        foreach (var m in r.Models)
            if (!snapshot.Models.ContainsKey(m)) throw new KeyRequestException("unknown_model", $"model alias '{m}' is not declared in attest.yaml", "models");
        foreach (var s in r.Scopes)
            if (!KeyScopes.All.Contains(s)) throw new KeyRequestException("unknown_scope", $"scope '{s}' is not one of {string.Join(", ", KeyScopes.All)}", "scopes");
        if (r.ExpiresIn is { } e && e <= TimeSpan.Zero) throw new KeyRequestException("invalid_expiry", "expiry must be in the future", "expires");
        if (r.RequestsPerMinute is < 0) throw new KeyRequestException("invalid_limit", "rpm must not be negative", "rpm");
        if (r.TokensPerMinute is < 0) throw new KeyRequestException("invalid_limit", "tpm must not be negative", "tpm");
    }

    private void RefuseConfigKey(string id)
    {
        if (policy.Current.Config.Keys.Any(k => k.Id == id))
            throw new KeyRequestException("config_key", $"key {id} is declared in attest.yaml; change it there", "id");
    }

    private async Task AuditAsync(string type, StoredKey key, string actor, DateTimeOffset? oldExpiry, CancellationToken cancellationToken)
    {
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["key_id"] = key.Id, ["prefix"] = key.DisplayPrefix, ["scopes"] = string.Join(',', key.Scopes),
            ["models"] = string.Join(',', key.Models),
        };
        if (key.ExpiresAt is { } e) attributes["expires_at"] = e.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        if (key.RotatedFrom is { } from) attributes["rotated_from"] = from;
        if (oldExpiry is { } o) attributes["old_key_valid_until"] = o.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        await audit.AppendAsync(new AuditRecord
        {
            Type = type, Tenant = key.Tenant, Decision = "allow", DataClass = "keys",
            Actor = new AuditActor { Admin = actor, KeyId = key.Id, Agent = key.Agent, Principal = key.Principal },
            Attributes = attributes,
        }, cancellationToken);
    }
}
