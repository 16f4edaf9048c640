using System.Text;
using Attest.Audit.Checkpoints;
using Attest.Audit.Crypto;
using Attest.Core.Config;

namespace Attest.Storage.Audit;

/// <summary>
/// Loads (or creates on first start) the audit keys, which live outside the database: the
/// checkpoint signing key (<c>audit.signingKey</c>, else <c>&lt;dataDir&gt;/audit-signing.pem</c>),
/// the master key (<c>audit.masterKey</c>, else <c>&lt;dataDir&gt;/master.key</c>), and the set of
/// trusted public keys (<c>&lt;dataDir&gt;/audit-public-keys.pem</c>, to which every signing key in
/// use is added so checkpoints signed before a rotation still verify).
/// </summary>
public static class AuditKeyFiles
{
    public const string SigningKeyFile = "audit-signing.pem";
    public const string MasterKeyFile = "master.key";
    public const string PublicKeysFile = "audit-public-keys.pem";

    public static CheckpointKey LoadSigningKey(PolicySnapshot policy, string dataDirectory, bool create = true)
    {
        var origin = policy.Config.Audit.Origin;
        var configured = policy.Config.Audit.SigningKey;
        string pem;
        if (configured is not null)
        {
            pem = policy.ResolveSecret(configured) ?? throw new InvalidOperationException("audit.signingKey is set but could not be read (check the env variable or file)");
        }
        else
        {
            var path = Path.Combine(dataDirectory, SigningKeyFile);
            if (!File.Exists(path))
            {
                if (!create) throw new InvalidOperationException($"{path}: no audit signing key (start the server once to create it)");
                using var fresh = CheckpointKey.Generate(origin);
                WriteSecretFile(path, fresh.ExportPrivateKeyPem());
            }
            pem = File.ReadAllText(path);
        }
        var key = CheckpointKey.FromPem(origin, pem);
        if (!key.HasPrivateKey) throw new InvalidOperationException("the audit signing key must be a private key PEM");
        RememberPublicKey(dataDirectory, key);
        return key;
    }

    public static byte[] LoadMasterKey(PolicySnapshot policy, string dataDirectory, bool create = true)
    {
        string text;
        if (policy.Config.Audit.MasterKey is { } configured)
        {
            text = policy.ResolveSecret(configured) ?? throw new InvalidOperationException("audit.masterKey is set but could not be read (check the env variable or file)");
        }
        else
        {
            var path = Path.Combine(dataDirectory, MasterKeyFile);
            if (!File.Exists(path))
            {
                if (!create) throw new InvalidOperationException($"{path}: no master key");
                WriteSecretFile(path, Convert.ToBase64String(PayloadCrypto.NewKey()));
            }
            text = File.ReadAllText(path).Trim();
        }
        byte[] key;
        try { key = Convert.FromBase64String(text); }
        catch (FormatException) { throw new InvalidOperationException("the audit master key is not base64"); }
        return key.Length == PayloadCrypto.KeySize ? key : throw new InvalidOperationException("the audit master key must be 32 bytes (base64)");
    }

    /// <summary>Every public key trusted for this log: the retained ones in the data folder.</summary>
    public static IReadOnlyList<CheckpointKey> LoadTrustedKeys(PolicySnapshot policy, string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, PublicKeysFile);
        return File.Exists(path) ? ParsePublicKeys(policy.Config.Audit.Origin, File.ReadAllText(path)) : [];
    }

    /// <summary>Parses one or more PEM public keys (e.g. an <c>attest audit pubkey</c> output or a <c>--pubkey</c> file).</summary>
    public static IReadOnlyList<CheckpointKey> ParsePublicKeys(string origin, string text)
    {
        var keys = new List<CheckpointKey>();
        const string Begin = "-----BEGIN PUBLIC KEY-----", End = "-----END PUBLIC KEY-----";
        var at = 0;
        while ((at = text.IndexOf(Begin, at, StringComparison.Ordinal)) >= 0)
        {
            var end = text.IndexOf(End, at, StringComparison.Ordinal);
            if (end < 0) break;
            var name = origin;
            var header = text.LastIndexOf("# key ", at, StringComparison.Ordinal);
            if (header >= 0 && text.IndexOf(Begin, header, StringComparison.Ordinal) == at)
            {
                var line = text[(header + 6)..text.IndexOf('\n', header)].Trim();
                name = line.Split('+')[0];
            }
            keys.Add(CheckpointKey.FromPem(name, text[at..(end + End.Length)]));
            at = end + End.Length;
        }
        return keys;
    }

    public static string FormatPublicKey(CheckpointKey key) => $"# key {key.KeyId}\n{key.ExportPublicKeyPem()}\n";

    private static void RememberPublicKey(string dataDirectory, CheckpointKey key)
    {
        Directory.CreateDirectory(dataDirectory);
        var path = Path.Combine(dataDirectory, PublicKeysFile);
        var existing = File.Exists(path) ? File.ReadAllText(path) : "";
        if (existing.Contains($"# key {key.KeyId}\n", StringComparison.Ordinal)) return;
        File.AppendAllText(path, FormatPublicKey(key), Encoding.UTF8);
    }

    private static void WriteSecretFile(string path, string content)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using var s = new FileStream(path, options);
        s.Write(Encoding.UTF8.GetBytes(content));
        s.Flush(flushToDisk: true);
    }
}
