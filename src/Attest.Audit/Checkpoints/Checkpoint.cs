using System.Globalization;
using System.Text;

namespace Attest.Audit.Checkpoints;

/// <summary>
/// A signed tree head in the C2SP checkpoint format: a signed note whose text is
/// <c>origin\nsize\nbase64(root)\ntime unix-ms\n</c>, then a blank line, then one line per
/// signature <c>— keyName base64(keyHash[4] || DER ECDSA signature)\n</c>. Immutable.
/// </summary>
public sealed record Checkpoint(string Origin, long Size, byte[] Root, DateTimeOffset Time)
{
    private const string Dash = "\u2014 ";

    /// <summary>The note text that is signed (ends with a newline).</summary>
    public string Body =>
        $"{Origin}\n{Size.ToString(CultureInfo.InvariantCulture)}\n{Convert.ToBase64String(Root)}\ntime {Time.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)}\n";

    public string Sign(CheckpointKey key)
    {
        var body = Body;
        var sig = key.Sign(Encoding.UTF8.GetBytes(body));
        return $"{body}\n{Dash}{key.Name} {Convert.ToBase64String([.. key.KeyHash, .. sig])}\n";
    }

    /// <summary>
    /// Parses and verifies a signed checkpoint against a set of trusted keys. Returns the checkpoint
    /// and the id of the key that signed it, or an error naming what is wrong.
    /// </summary>
    public static CheckpointVerification Verify(string note, IReadOnlyCollection<CheckpointKey> trusted)
    {
        var split = note.IndexOf("\n\n", StringComparison.Ordinal);
        if (split < 0) return CheckpointVerification.Fail("no blank line between text and signatures");
        var body = note[..(split + 1)];
        if (body.Any(c => c < ' ' && c != '\n')) return CheckpointVerification.Fail("control characters in the note text");
        var lines = body.Split('\n');
        if (lines.Length < 4) return CheckpointVerification.Fail("checkpoint text needs origin, size and root");
        if (!long.TryParse(lines[1], NumberStyles.None, CultureInfo.InvariantCulture, out var size))
            return CheckpointVerification.Fail($"tree size '{lines[1]}' is not a number");
        byte[] root;
        try { root = Convert.FromBase64String(lines[2]); }
        catch (FormatException) { return CheckpointVerification.Fail("root hash is not base64"); }
        if (root.Length != 32) return CheckpointVerification.Fail("root hash is not 32 bytes");
        var time = DateTimeOffset.UnixEpoch;
        foreach (var ext in lines.Skip(3))
        {
            if (ext.StartsWith("time ", StringComparison.Ordinal) && long.TryParse(ext.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out var ms))
                time = DateTimeOffset.FromUnixTimeMilliseconds(ms);
        }
        var message = Encoding.UTF8.GetBytes(body);
        foreach (var line in note[(split + 2)..].Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!line.StartsWith(Dash, StringComparison.Ordinal)) return CheckpointVerification.Fail("malformed signature line");
            var parts = line[Dash.Length..].Split(' ');
            if (parts.Length != 2) return CheckpointVerification.Fail("malformed signature line");
            byte[] sig;
            try { sig = Convert.FromBase64String(parts[1]); }
            catch (FormatException) { return CheckpointVerification.Fail("signature is not base64"); }
            if (sig.Length < 5) return CheckpointVerification.Fail("signature too short");
            foreach (var key in trusted)
            {
                if (key.Name != parts[0] || !sig.AsSpan(0, 4).SequenceEqual(key.KeyHash)) continue;
                return key.Verify(message, sig.AsSpan(4))
                    ? new CheckpointVerification(new Checkpoint(lines[0], size, root, time), key.KeyId, null)
                    : CheckpointVerification.Fail($"signature by {key.KeyId} does not verify");
            }
        }
        return CheckpointVerification.Fail("not signed by any trusted key");
    }
}

/// <summary>Outcome of <see cref="Checkpoint.Verify"/>: the checkpoint and signer, or an error.</summary>
public sealed record CheckpointVerification(Checkpoint? Checkpoint, string? KeyId, string? Error)
{
    public bool Ok => Checkpoint is not null;
    public static CheckpointVerification Fail(string error) => new(null, null, error);
}
