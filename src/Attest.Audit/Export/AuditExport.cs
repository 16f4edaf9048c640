using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Attest.Audit.Checkpoints;
using Attest.Audit.Log;
using Attest.Audit.Merkle;
using Attest.Audit.Verification;

namespace Attest.Audit.Export;

/// <summary>
/// Self-verifying JSONL exports (docs/audit.md §Export): a header naming the range, the chain hash
/// before it and an anchor checkpoint that covers it; one line per entry with its canonical text,
/// chain hash, sealed payload and inclusion proof to the anchor; then the other checkpoints in the
/// range with consistency proofs to the anchor. Thread-safe (stateless).
/// </summary>
public static class AuditExport
{
    public const int FormatVersion = 1;

    /// <summary>Writes entries [from, to) and returns how many were written. Signs a checkpoint first when none covers <paramref name="to"/>.</summary>
    public static async Task<long> WriteAsync(AuditLog log, long from, long? to, TextWriter output, CancellationToken cancellationToken = default)
    {
        var store = log.Store;
        var tail = await store.ReadTailAsync(cancellationToken);
        var end = Math.Min(to ?? tail.Size, tail.Size);
        if (from < 0 || from > end) throw new ArgumentOutOfRangeException(nameof(from), $"from must be within 0..{end}");
        var checkpoints = await store.ReadCheckpointsAsync(cancellationToken);
        var anchor = checkpoints.FirstOrDefault(c => c.Size >= end && c.Size > 0);
        if (anchor is null)
        {
            await log.CheckpointAsync(cancellationToken);
            checkpoints = await store.ReadCheckpointsAsync(cancellationToken);
            anchor = checkpoints.FirstOrDefault(c => c.Size >= end)
                ?? throw new InvalidOperationException("no checkpoint covers the export range");
        }
        var tree = new MerkleTree();
        await foreach (var leaf in store.ReadLeafHashesAsync(0, cancellationToken))
        {
            if (tree.Size == anchor.Size) break;
            tree.Append(leaf);
        }
        byte[] chainBefore = new byte[32];
        if (from > 0)
            await foreach (var r in store.ReadRowsAsync(from - 1, from, cancellationToken)) chainBefore = r.ChainHash;
        await WriteLineAsync(output, new JsonObject
        {
            ["kind"] = "header", ["v"] = FormatVersion, ["origin"] = log.Origin, ["from"] = from, ["to"] = end,
            ["chainBefore"] = Convert.ToHexStringLower(chainBefore), ["anchor"] = anchor.Note,
        });
        long n = 0;
        await foreach (var r in store.ReadRowsAsync(from, end, cancellationToken))
        {
            await WriteLineAsync(output, new JsonObject
            {
                ["kind"] = "entry", ["index"] = r.Sequence, ["entry"] = Encoding.UTF8.GetString(r.Canonical),
                ["chain"] = Convert.ToHexStringLower(r.ChainHash),
                ["payload"] = r.Payload is null ? null : Convert.ToBase64String(r.Payload),
                ["proof"] = Hexes(tree.InclusionProof(r.Sequence, anchor.Size)),
            });
            n++;
        }
        foreach (var cp in checkpoints.Where(c => c.Size > from && c.Size < anchor.Size))
            await WriteLineAsync(output, new JsonObject
            {
                ["kind"] = "checkpoint", ["note"] = cp.Note, ["proof"] = Hexes(tree.ConsistencyProof(cp.Size, anchor.Size)),
            });
        await output.FlushAsync(cancellationToken);
        return n;
    }

    /// <summary>Verifies an export on its own: anchor signature, every entry's hashes and inclusion proof, and every checkpoint's signature and consistency proof.</summary>
    public static VerifyReport Verify(TextReader input, IReadOnlyCollection<CheckpointKey> trusted)
    {
        var lineNo = 0;
        JsonObject? header = null;
        var entries = new List<(long Index, VerifyRow Row, IReadOnlyList<byte[]> Proof)>();
        var extra = new List<(string Note, IReadOnlyList<byte[]> Proof)>();
        try
        {
            while (input.ReadLine() is { } line)
            {
                lineNo++;
                if (line.Length == 0) continue;
                var o = JsonNode.Parse(line)?.AsObject() ?? throw new FormatException("not a JSON object");
                switch ((string?)o["kind"])
                {
                    case "header": header = o; break;
                    case "entry":
                        entries.Add(((long)o["index"]!, new VerifyRow(Encoding.UTF8.GetBytes((string)o["entry"]!), Convert.FromHexString((string)o["chain"]!),
                            o["payload"] is { } p ? Convert.FromBase64String((string)p!) : null), Proof(o)));
                        break;
                    case "checkpoint": extra.Add(((string)o["note"]!, Proof(o))); break;
                    default: throw new FormatException($"unknown line kind '{o["kind"]}'");
                }
            }
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or NullReferenceException)
        {
            return new VerifyReport(false, entries.Count, 0, null, TamperKind.Edited, $"line {lineNo}: malformed export line ({e.Message})");
        }
        if (header is null) return new VerifyReport(false, 0, 0, null, TamperKind.Edited, "the export has no header line");
        var from = (long)header["from"]!;
        var to = (long)header["to"]!;
        var anchor = Checkpoint.Verify((string)header["anchor"]!, trusted);
        if (!anchor.Ok) return new VerifyReport(false, entries.Count, 1 + extra.Count, to, TamperKind.ForgedCheckpoint, $"the anchor checkpoint is forged: {anchor.Error}");
        var a = anchor.Checkpoint!;

        var verifier = new AuditVerifier([], trusted, from, Convert.FromHexString((string)header["chainBefore"]!), verifyRoots: false);
        long? firstBadProof = null;
        foreach (var (index, row, proof) in entries)
        {
            verifier.Add(row);
            var seq = AuditEntry.ReadSequence(row.Canonical);
            if (firstBadProof is null && (seq is not { } s || !MerkleVerifier.VerifyInclusion(MerkleHash.Leaf(row.Canonical), s, a.Size, proof, a.Root)))
                firstBadProof = seq ?? index;
        }
        var report = verifier.Finish();
        if (!report.Ok) return report with { Checkpoints = 1 + extra.Count };
        if (firstBadProof is { } bad)
            return new VerifyReport(false, entries.Count, 1 + extra.Count, bad, TamperKind.Edited, $"entry {bad} is not in the signed tree of size {a.Size} (its inclusion proof fails)");
        if (from + entries.Count != to)
            return new VerifyReport(false, entries.Count, 1 + extra.Count, from + entries.Count, TamperKind.Truncated, $"the export ends at {from + entries.Count} but its header says {to}");
        foreach (var (note, proof) in extra)
        {
            var v = Checkpoint.Verify(note, trusted);
            if (!v.Ok) return new VerifyReport(false, entries.Count, 1 + extra.Count, null, TamperKind.ForgedCheckpoint, $"a checkpoint in the export is forged: {v.Error}");
            if (!MerkleVerifier.VerifyConsistency(v.Checkpoint!.Size, a.Size, v.Checkpoint.Root, a.Root, proof))
                return new VerifyReport(false, entries.Count, 1 + extra.Count, v.Checkpoint.Size, TamperKind.ForgedCheckpoint, $"checkpoint {v.Checkpoint.Size} is not consistent with the anchor {a.Size}");
        }
        return new VerifyReport(true, entries.Count, 1 + extra.Count, null, TamperKind.None,
            $"{entries.Count} entries [{from}, {to}) verified against checkpoint {a.Size} signed by {anchor.KeyId}; {extra.Count} more checkpoint(s) consistent");
    }

    private static List<byte[]> Proof(JsonObject o) => [.. (o["proof"]?.AsArray() ?? []).Select(h => Convert.FromHexString((string)h!))];

    private static JsonArray Hexes(IReadOnlyList<byte[]> hashes) => [.. hashes.Select(h => (JsonNode)Convert.ToHexStringLower(h))];

    private static async Task WriteLineAsync(TextWriter output, JsonObject line) => await output.WriteLineAsync(line.ToJsonString());
}
