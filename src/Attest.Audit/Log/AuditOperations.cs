using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Attest.Audit.Checkpoints;
using Attest.Audit.Crypto;
using Attest.Audit.Verification;
using Attest.Core.Audit;
using Attest.Core.Config;

namespace Attest.Audit.Log;

/// <summary>Whole-log operations over a store: verify, forget a subject, purge by retention, read a payload. Thread-safe.</summary>
public static class AuditOperations
{
    /// <summary>Verifies the whole stored log: every entry, chain hash, payload digest, checkpoint signature and root.</summary>
    public static async Task<VerifyReport> VerifyAsync(IAuditStore store, IReadOnlyCollection<CheckpointKey> trusted, CancellationToken cancellationToken = default)
    {
        var verifier = new AuditVerifier(await store.ReadCheckpointsAsync(cancellationToken), trusted);
        var chunk = new List<VerifyRow>(4096);
        await foreach (var r in store.ReadRowsAsync(0, long.MaxValue, cancellationToken))
        {
            chunk.Add(new VerifyRow(r.Canonical, r.ChainHash, r.Payload));
            if (chunk.Count < chunk.Capacity) continue;
            verifier.AddRange(chunk);
            chunk.Clear();
        }
        verifier.AddRange(chunk);
        return verifier.Finish();
    }

    /// <summary>Destroys the subject's keys (crypto-shredding) and records <c>subject.forgotten</c>. Returns how many keys were destroyed.</summary>
    public static async Task<int> ForgetSubjectAsync(AuditLog log, string subject, string tenant, AuditActor actor, TimeProvider time, CancellationToken cancellationToken = default)
    {
        var destroyed = await log.Store.ForgetSubjectAsync(subject, time.GetUtcNow(), cancellationToken);
        log.Keyring.Evict(subject);
        await log.AppendAsync(new AuditRecord
        {
            Type = AuditEventTypes.SubjectForgotten, Tenant = tenant, Actor = actor, DataClass = "events", Decision = "allow",
            Digests = new Dictionary<string, string> { ["subject"] = Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(subject))) },
            Attributes = new Dictionary<string, string> { ["keysDestroyed"] = destroyed.ToString(System.Globalization.CultureInfo.InvariantCulture) },
        }, cancellationToken);
        return destroyed;
    }

    /// <summary>Removes payload ciphertext past each data class's retention, keeps the hashed skeleton, and records <c>retention.purged</c> per class.</summary>
    public static async Task<IReadOnlyDictionary<string, long>> PurgeAsync(AuditLog log, IReadOnlyList<RetentionConfig> retention, string tenant, AuditActor actor, TimeProvider time, CancellationToken cancellationToken = default)
    {
        var result = new Dictionary<string, long>(StringComparer.Ordinal);
        var now = time.GetUtcNow();
        foreach (var rule in retention)
        {
            if (string.IsNullOrWhiteSpace(rule.DataClass)) continue;
            var keep = Durations.Parse(rule.Keep);
            var cutoff = now - keep;
            var removed = await log.Store.PurgePayloadsAsync(rule.DataClass, cutoff, cancellationToken);
            result[rule.DataClass] = removed;
            await log.AppendAsync(new AuditRecord
            {
                Type = AuditEventTypes.RetentionPurged, Tenant = tenant, Actor = actor, Decision = "allow",
                Attributes = new Dictionary<string, string>
                {
                    ["dataClass"] = rule.DataClass, ["keep"] = rule.Keep, ["before"] = cutoff.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
                    ["payloadsRemoved"] = removed.ToString(System.Globalization.CultureInfo.InvariantCulture),
                },
            }, cancellationToken);
        }
        return result;
    }

    /// <summary>Decrypts a row's payload. Null when it has none; throws <see cref="PayloadUnavailableException"/> when purged or its subject was forgotten.</summary>
    public static async Task<JsonNode?> ReadPayloadAsync(SubjectKeyring keyring, AuditRow row, CancellationToken cancellationToken = default)
    {
        var entry = AuditEntry.Decode(row.Canonical);
        if (entry.Payload is null) return null;
        if (row.Payload is null) throw new PayloadUnavailableException($"the payload of {row.Id} was purged by retention");
        var key = await keyring.FindAsync(entry.Payload.KeyId, cancellationToken)
            ?? throw new PayloadUnavailableException($"the payload of {row.Id} is unreadable: its subject was forgotten");
        return JsonNode.Parse(PayloadCrypto.OpenPayload(key, row.Id, row.Payload));
    }
}

/// <summary>A payload that cannot be read any more (purged, or its subject key destroyed).</summary>
public sealed class PayloadUnavailableException(string message) : Exception(message);
