using System.Text;
using Attest.Audit.Checkpoints;
using Attest.Audit.Log;
using Attest.Audit.Merkle;
using Attest.Audit.Verification;

namespace Attest.Audit.Tests;

/// <summary>Random tampering of a 10,000-entry log: every attempt is detected and located with its kind.</summary>
public class TamperCampaignTests
{
    private const int Entries = 10_000;
    private static readonly Lazy<Task<(List<VerifyRow> Rows, List<StoredCheckpoint> Checkpoints)>> Log = new(BuildAsync);

    private static async Task<(List<VerifyRow>, List<StoredCheckpoint>)> BuildAsync()
    {
        var (log, store, _) = TestLogs.Create(checkpointEvery: 700);
        await TestLogs.FillAsync(log, Entries);
        await log.CheckpointAsync();
        await log.DisposeAsync();
        return ([.. store.Rows.Select(r => new VerifyRow(r.Canonical, r.ChainHash, r.Payload))], [.. store.Checkpoints]);
    }

    private static VerifyReport Verify(IEnumerable<VerifyRow> rows, IEnumerable<StoredCheckpoint> checkpoints)
    {
        var list = rows.ToList();
        var v = new AuditVerifier(checkpoints, [TestLogs.Key]);
        foreach (var r in list) v.Add(r);
        var one = v.Finish();
        // The parallel path must reach exactly the same verdict, location and message.
        var p = new AuditVerifier(checkpoints, [TestLogs.Key]);
        p.AddRange(list[..(list.Count / 3)]);
        p.AddRange(list[(list.Count / 3)..]);
        Assert.Equal(one, p.Finish());
        return one;
    }

    [Fact]
    public async Task Untouched_log_verifies()
    {
        var (rows, cps) = await Log.Value;
        var report = Verify(rows, cps);
        Assert.True(report.Ok, report.Message);
        Assert.Equal(Entries, report.Entries);
    }

    [Fact]
    public async Task Random_tampering_is_always_detected_and_located()
    {
        var (original, cps) = await Log.Value;
        var rng = new Random(20261121);
        var counts = new Dictionary<TamperKind, int>();
        using var rogue = CheckpointKey.Generate("attest");
        for (var trial = 0; trial < 120; trial++)
        {
            var rows = new List<VerifyRow>(original);
            var checkpoints = new List<StoredCheckpoint>(cps);
            var kind = (TamperKind)(1 + trial % 6);
            long expected;
            var i = rng.Next(1, Entries - 2);
            switch (kind)
            {
                case TamperKind.Edited:
                    expected = i;
                    if (trial % 12 == 0 && rows[i].Payload is { } payload)
                    {
                        var p = (byte[])payload.Clone();
                        p[rng.Next(p.Length)] ^= 0x40;
                        rows[i] = rows[i] with { Payload = p };
                    }
                    else
                    {
                        var text = Encoding.UTF8.GetString(rows[i].Canonical);
                        var edited = rng.Next(3) switch
                        {
                            0 => text.Contains("\"decision\":\"allow\"") ? text.Replace("\"decision\":\"allow\"", "\"decision\":\"block\"") : text.Replace("\"decision\":\"block\"", "\"decision\":\"allow\""),
                            1 => text.Replace("\"tenant\":\"t", "\"tenant\":\"x"),
                            _ => text.Replace("\"inTok\":", "\"inTok\":9"),
                        };
                        rows[i] = rows[i] with { Canonical = Encoding.UTF8.GetBytes(edited) };
                    }
                    break;
                case TamperKind.Deleted:
                    var k = rng.Next(1, 5);
                    rows.RemoveRange(i, k);
                    expected = i;
                    break;
                case TamperKind.Inserted:
                    expected = i;
                    if (trial % 2 == 0)
                    {
                        // A forged entry claiming index i, with a correctly recomputed chain hash.
                        var forged = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(rows[i].Canonical).Replace("\"tenant\":\"t", "\"tenant\":\"f"));
                        var chain = MerkleHash.Chain(rows[i - 1].ChainHash, MerkleHash.Leaf(forged));
                        rows.Insert(i, new VerifyRow(forged, chain, null));
                    }
                    else
                    {
                        rows.Insert(i, rows[rng.Next(0, i)]); // a replayed copy of an earlier entry
                    }
                    break;
                case TamperKind.Reordered:
                    var j = rng.Next(i + 1, Math.Min(Entries, i + 50));
                    (rows[i], rows[j]) = (rows[j], rows[i]);
                    expected = i;
                    break;
                case TamperKind.Truncated:
                    i = rng.Next(1, Entries);
                    rows.RemoveRange(i, rows.Count - i);
                    expected = i;
                    break;
                default:
                    var c = rng.Next(checkpoints.Count);
                    var cp = checkpoints[c];
                    if (trial % 2 == 0)
                    {
                        // Signed by a key the verifier does not trust, claiming a different root.
                        var fake = new Checkpoint("attest", cp.Size, MerkleHash.Leaf([1, 2, 3]), cp.Time);
                        checkpoints[c] = cp with { Note = fake.Sign(rogue), Root = fake.Root };
                    }
                    else
                    {
                        var lines = cp.Note.Split('\n');
                        lines[2] = Convert.ToBase64String(MerkleHash.Leaf([9]));
                        checkpoints[c] = cp with { Note = string.Join('\n', lines) };
                    }
                    expected = cp.Size;
                    break;
            }
            var report = Verify(rows, checkpoints);
            Assert.False(report.Ok, $"trial {trial}: {kind} at {expected} was not detected");
            Assert.True(kind == report.Kind && expected == report.FirstBadIndex,
                $"trial {trial}: expected {kind} at {expected}, got {report.Kind} at {report.FirstBadIndex}: {report.Message}");
            counts[kind] = counts.GetValueOrDefault(kind) + 1;
        }
        Assert.Equal(6, counts.Count);
    }
}
