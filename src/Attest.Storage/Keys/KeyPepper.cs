using System.Security.Cryptography;
using System.Text;

namespace Attest.Storage.Keys;

/// <summary>
/// The server secret that keys are hashed under (HMAC-SHA256). It lives outside the database, so a
/// stolen database alone cannot be used to test guessed keys: <c>ATTEST_KEY_PEPPER</c> when set,
/// else the file <c>&lt;dataDir&gt;/key-pepper</c>, created with 32 random bytes and mode 0600 on first use.
/// Every replica must use the same pepper. Thread-safe.
/// </summary>
public sealed class KeyPepper
{
    public const string EnvironmentVariable = "ATTEST_KEY_PEPPER";
    public const string FileName = "key-pepper";

    private readonly byte[] _secret;

    public KeyPepper(byte[] secret)
    {
        if (secret.Length < 16) throw new ArgumentException("the key pepper must be at least 16 bytes", nameof(secret));
        _secret = secret;
    }

    /// <summary>Where the pepper came from: <c>env</c> or the file path (for diagnostics; never the value).</summary>
    public string Source { get; private init; } = "memory";

    /// <summary>Loads the pepper from the environment or the data folder, creating the file when absent.</summary>
    public static KeyPepper Load(string dataDirectory)
    {
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } env)
        {
            if (env.Length < 16) throw new InvalidOperationException($"{EnvironmentVariable} must hold at least 16 characters");
            return new KeyPepper(Encoding.UTF8.GetBytes(env)) { Source = "env" };
        }
        var path = Path.Combine(dataDirectory, FileName);
        if (!File.Exists(path)) TryCreate(path);
        var text = File.ReadAllText(path).Trim();
        byte[] bytes;
        try { bytes = Convert.FromBase64String(text); }
        catch (FormatException) { throw new InvalidOperationException($"{path}: not base64; delete it only if no key was ever issued with it"); }
        return new KeyPepper(bytes) { Source = path };
    }

    /// <summary>Lower-case hex HMAC-SHA256 of <paramref name="key"/>.</summary>
    public string Hash(string key)
    {
        Span<byte> mac = stackalloc byte[32];
        // Keys are short (the authenticator refuses more than 512 characters): encode on the stack.
        var max = Encoding.UTF8.GetMaxByteCount(key.Length);
        if (max > 2048)
        {
            HMACSHA256.HashData(_secret, Encoding.UTF8.GetBytes(key), mac);
            return Convert.ToHexStringLower(mac);
        }
        Span<byte> utf8 = stackalloc byte[max];
        var n = Encoding.UTF8.GetBytes(key, utf8);
        HMACSHA256.HashData(_secret, utf8[..n], mac);
        return Convert.ToHexStringLower(mac);
    }

    private static void TryCreate(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        try
        {
            using var f = new FileStream(path, options);
            using var w = new StreamWriter(f);
            w.Write(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another process created it first; use theirs.
        }
    }
}
