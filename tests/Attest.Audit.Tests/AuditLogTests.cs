using System.Security.Cryptography;
using Attest.Audit.Checkpoints;
using Attest.Audit.Export;
using Attest.Audit.Log;
using Attest.Audit.Verification;
using Attest.Core.Audit;
using Attest.Core.Config;

namespace Attest.Audit.Tests;

public class AuditLogTests
{
    [Fact]
    public async Task Forgotten_subject_payloads_cannot_be_decrypted_and_the_log_still_verifies()
    {
        var (log, store, time) = TestLogs.Create(checkpointEvery: 10);
        await TestLogs.FillAsync(log, 60, concurrency: 4);
        var victim = store.Rows.First(r => r.Payload is not null && r.Subject == "t0/user/u0");
        var other = store.Rows.First(r => r.Payload is not null && r.Subject != "t0/user/u0");
        Assert.NotNull(await AuditOperations.ReadPayloadAsync(log.Keyring, victim));

        var destroyed = await AuditOperations.ForgetSubjectAsync(log, "t0/user/u0", "t0", new AuditActor { Admin = "ops" }, time);
        Assert.Equal(1, destroyed);
        await Assert.ThrowsAsync<PayloadUnavailableException>(() => AuditOperations.ReadPayloadAsync(log.Keyring, victim));
        Assert.NotNull(await AuditOperations.ReadPayloadAsync(log.Keyring, other));
        // Even with the master key, the sealed bytes cannot be opened with any live key.
        var key = await log.Keyring.FindAsync(AuditEntry.Decode(victim.Canonical).Payload!.KeyId, default);
        Assert.Null(key);
        Assert.Contains(store.Rows, r => r.Type == AuditEventTypes.SubjectForgotten && !AuditEntry.Decode(r.Canonical).Digests.Values.Any(v => v.Contains("u0", StringComparison.Ordinal)));
        await log.CheckpointAsync();
        var report = await AuditOperations.VerifyAsync(store, [TestLogs.Key]);
        Assert.True(report.Ok, report.Message);

        // New events for the forgotten subject get a fresh key.
        await log.AppendAsync(TestLogs.Record(0) with { Subject = "t0/user/u0" });
        Assert.NotNull(await AuditOperations.ReadPayloadAsync(log.Keyring, store.Rows[^1]));
        await log.DisposeAsync();
    }

    [Fact]
    public async Task Retention_purge_removes_old_payloads_keeps_the_skeleton_and_verifies()
    {
        var (log, store, time) = TestLogs.Create(checkpointEvery: 5);
        for (var i = 0; i < 10; i++) await log.AppendAsync(TestLogs.Record(2 * i, "prompts"));
        for (var i = 0; i < 4; i++) await log.AppendAsync(TestLogs.Record(2 * i, "approvals"));
        time.Advance(TimeSpan.FromDays(31));
        await log.AppendAsync(TestLogs.Record(100, "prompts"));
        var purged = await AuditOperations.PurgeAsync(log, [new RetentionConfig { DataClass = "prompts", Keep = "30d" }, new RetentionConfig { DataClass = "approvals", Keep = "7y" }],
            "*", new AuditActor { Admin = "ops" }, time);
        Assert.Equal(10, purged["prompts"]);
        Assert.Equal(0, purged["approvals"]);
        Assert.Equal(10, store.Rows.Count(r => r.DataClass == "prompts" && r.Payload is null));
        Assert.NotNull(store.Rows.Single(r => r.DataClass == "prompts" && r.Time > time.GetUtcNow().AddDays(-1) && r.Type != AuditEventTypes.RetentionPurged).Payload);
        Assert.Equal(2, store.Rows.Count(r => r.Type == AuditEventTypes.RetentionPurged));
        await Assert.ThrowsAsync<PayloadUnavailableException>(() => AuditOperations.ReadPayloadAsync(log.Keyring, store.Rows[0]));
        await log.CheckpointAsync();
        var report = await AuditOperations.VerifyAsync(store, [TestLogs.Key]);
        Assert.True(report.Ok, report.Message);
        await log.DisposeAsync();
    }

    [Fact]
    public async Task A_failed_write_faults_every_caller_of_the_batch_and_the_log_recovers()
    {
        var (log, store, _) = TestLogs.Create();
        store.FailNextAppend = new IOException("disk full");
        await Assert.ThrowsAsync<AuditWriteException>(async () => await log.AppendAsync(TestLogs.Record(1)));
        Assert.Empty(store.Rows);
        await log.AppendAsync(TestLogs.Record(2));
        Assert.Single(store.Rows);
        Assert.Equal(0, store.Rows[0].Sequence);
        await log.DisposeAsync();
        await Assert.ThrowsAsync<AuditWriteException>(async () => await log.AppendAsync(TestLogs.Record(3)));
    }

    [Fact]
    public async Task Concurrent_appends_are_group_committed_in_one_total_order()
    {
        var (log, store, _) = TestLogs.Create(checkpointEvery: 100);
        await TestLogs.FillAsync(log, 2000, concurrency: 64);
        Assert.Equal(Enumerable.Range(0, 2000).Select(i => (long)i), store.Rows.Select(r => r.Sequence));
        Assert.Equal(2000, store.Rows.Select(r => r.Id).Distinct().Count());
        Assert.All(store.Checkpoints, c => Assert.True(c.Size % 1 == 0 && c.Size <= 2000));
        await log.DisposeAsync();
    }

    [Fact]
    public async Task Checkpoints_verify_across_key_rotation_and_reject_untrusted_keys()
    {
        var store = new InMemoryAuditStore();
        var (log1, _, _) = TestLogs.Create(checkpointEvery: 5, store: store);
        for (var i = 0; i < 7; i++) await log1.AppendAsync(TestLogs.Record(i));
        await log1.DisposeAsync();
        using var rotated = CheckpointKey.Generate("attest");
        await using (var log2 = new AuditLog(store, new AuditLogOptions { SigningKey = rotated, MasterKey = TestLogs.Master, CheckpointEvery = 5 }))
        {
            for (var i = 0; i < 7; i++) await log2.AppendAsync(TestLogs.Record(i));
            await log2.CheckpointAsync();
        }
        Assert.Equal(2, store.Checkpoints.Select(c => c.KeyId).Distinct().Count());
        using var oldPublic = CheckpointKey.FromPem("attest", TestLogs.Key.ExportPublicKeyPem());
        using var newPublic = CheckpointKey.FromPem("attest", rotated.ExportPublicKeyPem());
        Assert.True((await AuditOperations.VerifyAsync(store, [oldPublic, newPublic])).Ok);
        var onlyNew = await AuditOperations.VerifyAsync(store, [newPublic]);
        Assert.Equal(TamperKind.ForgedCheckpoint, onlyNew.Kind);
        Assert.Equal(store.Checkpoints[0].Size, onlyNew.FirstBadIndex);
    }

    [Fact]
    public async Task Exports_verify_on_their_own_and_tampering_in_them_is_located()
    {
        var (log, store, _) = TestLogs.Create(checkpointEvery: 40);
        await TestLogs.FillAsync(log, 300, concurrency: 8);
        var writer = new StringWriter();
        Assert.Equal(150, await AuditExport.WriteAsync(log, 100, 250, writer));
        var text = writer.ToString();
        using var publicOnly = CheckpointKey.FromPem("attest", TestLogs.Key.ExportPublicKeyPem());
        var ok = AuditExport.Verify(new StringReader(text), [publicOnly]);
        Assert.True(ok.Ok, ok.Message);

        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
        var edited = new List<string>(lines);
        edited[1 + 20] = edited[1 + 20].Replace("\\u0022tenant\\u0022:\\u0022t", "\\u0022tenant\\u0022:\\u0022z", StringComparison.Ordinal);
        Assert.NotEqual(lines[21], edited[21]);
        var r1 = AuditExport.Verify(new StringReader(string.Join('\n', edited)), [publicOnly]);
        Assert.Equal((TamperKind.Edited, 120L), (r1.Kind, r1.FirstBadIndex));

        var deleted = new List<string>(lines);
        deleted.RemoveAt(1 + 30);
        var r2 = AuditExport.Verify(new StringReader(string.Join('\n', deleted)), [publicOnly]);
        Assert.Equal((TamperKind.Deleted, 130L), (r2.Kind, r2.FirstBadIndex));

        var truncated = lines.Take(1 + 100).ToList();
        var r3 = AuditExport.Verify(new StringReader(string.Join('\n', truncated)), [publicOnly]);
        Assert.Equal((TamperKind.Truncated, 200L), (r3.Kind, r3.FirstBadIndex));

        using var rogue = CheckpointKey.Generate("attest");
        var r4 = AuditExport.Verify(new StringReader(text), [rogue]);
        Assert.Equal(TamperKind.ForgedCheckpoint, r4.Kind);
        await log.DisposeAsync();
    }

    [Fact]
    public void Canonical_encoding_is_stable_and_round_trips()
    {
        var entry = new AuditEntry
        {
            Id = "01J0000000000000000000000", Sequence = 7, Time = new DateTimeOffset(2026, 1, 2, 3, 4, 5, 678, TimeSpan.Zero),
            Type = "chat.request", Tenant = "acme", Actor = new AuditActor { KeyId = "k1", EndUser = "al\"ice\n" },
            Reasons = ["r1"], InputTokens = 3, LatencyMicros = 1500, Attributes = new Dictionary<string, string> { ["b"] = "2", ["a"] = "1" },
            Payload = new PayloadReference("A256GCM", "sk_1", "ab", 10),
        };
        var text = System.Text.Encoding.UTF8.GetString(entry.Encode());
        Assert.Equal("""{"actor":{"endUser":"al\"ice\n","keyId":"k1"},"attrs":{"a":"1","b":"2"},"class":"events","id":"01J0000000000000000000000","inTok":3,"latUs":1500,"payload":{"alg":"A256GCM","key":"sk_1","len":10,"sha256":"ab"},"reasons":["r1"],"seq":7,"tenant":"acme","time":"2026-01-02T03:04:05.678Z","type":"chat.request","v":1}""", text);
        var back = AuditEntry.Decode(entry.Encode());
        Assert.Equal(text, System.Text.Encoding.UTF8.GetString(back.Encode()));
        Assert.Equal(7, AuditEntry.ReadSequence(entry.Encode()));
    }

    [Fact]
    public void Event_ids_sort_in_creation_order()
    {
        var time = new Core.Time.ManualTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_000));
        var gen = new EventIdGenerator(time);
        var ids = new List<string>();
        for (var i = 0; i < 1000; i++)
        {
            ids.Add(gen.Next());
            if (i % 100 == 0) time.Advance(TimeSpan.FromMilliseconds(1));
        }
        Assert.Equal(ids.Order(StringComparer.Ordinal), ids);
        Assert.Equal(1000, ids.Distinct().Count());
        Assert.All(ids, id => Assert.Equal(26, id.Length));
    }

    [Fact]
    public void Payload_crypto_binds_ciphertext_to_its_event()
    {
        var key = Crypto.PayloadCrypto.NewKey();
        var sealedBytes = Crypto.PayloadCrypto.SealPayload(key, "e1", "secret"u8);
        Assert.Equal("secret"u8.ToArray(), Crypto.PayloadCrypto.OpenPayload(key, "e1", sealedBytes));
        Assert.ThrowsAny<CryptographicException>(() => Crypto.PayloadCrypto.OpenPayload(key, "e2", sealedBytes));
        Assert.ThrowsAny<CryptographicException>(() => Crypto.PayloadCrypto.OpenPayload(Crypto.PayloadCrypto.NewKey(), "e1", sealedBytes));
    }
}
