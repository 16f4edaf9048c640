using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Attest.Core.Guards;

namespace Attest.Guards.Redaction;

/// <summary>
/// Reversible pseudonyms scoped to a conversation and its caller. Values are sealed with AES-256-GCM under a
/// key derived (HKDF-SHA256) from the vault key and the scope; the store sees only digests and ciphertexts.
/// The scope includes the caller (tenant, end user or principal or key), so another caller cannot restore.
/// Thread-safe.
/// </summary>
public sealed partial class PseudonymVault
{
    private readonly byte[] _key;
    private readonly IPseudonymStore _store;
    private readonly TimeProvider _time;

    public PseudonymVault(byte[] key, IPseudonymStore store, TimeProvider time, TimeSpan? ttl = null)
    {
        if (key.Length < 32) throw new ArgumentException("the vault key must be at least 32 bytes", nameof(key));
        _key = key;
        _store = store;
        _time = time;
        Ttl = ttl ?? TimeSpan.FromHours(24);
    }

    /// <summary>How long a conversation's mapping lives after its last new pseudonym. Default 24 h.</summary>
    public TimeSpan Ttl { get; }

    /// <summary>A vault with a random key and an in-memory store (tests, the CLI).</summary>
    public static PseudonymVault Ephemeral(TimeProvider time) => new(RandomNumberGenerator.GetBytes(32), new InMemoryPseudonymStore(time), time);

    /// <summary>Loads <c>guard-vault.key</c> (base64, 32 bytes) from the folder, creating it (owner-only) on first use.</summary>
    public static byte[] LoadOrCreateKey(string directory)
    {
        var path = Path.Combine(directory, "guard-vault.key");
        if (File.Exists(path)) return Convert.FromBase64String(File.ReadAllText(path).Trim());
        Directory.CreateDirectory(directory);
        var key = RandomNumberGenerator.GetBytes(32);
        File.WriteAllText(path, Convert.ToBase64String(key));
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return key;
    }

    /// <summary>The scope of a context: tenant, caller and conversation. Null when there is no conversation id.</summary>
    public static string? ScopeOf(GuardContext context) => context.ConversationId is { Length: > 0 } c
        ? $"{context.Identity.Tenant}\n{context.Identity.EndUser ?? context.Identity.Principal ?? context.Identity.KeyId ?? ""}\n{c}"
        : null;

    /// <summary>The placeholder for <paramref name="value"/> in this scope, stable across calls (e.g. <c>&lt;EMAIL_1&gt;</c>).</summary>
    public string Pseudonymize(string scope, string label, string value)
    {
        var scopeId = Digest("scope", scope);
        var valueDigest = Digest("value:" + scope, label + "\n" + value);
        return _store.GetOrAdd(scopeId, valueDigest, label, n =>
        {
            var placeholder = $"<{label}_{n}>";
            return (placeholder, Seal(scope, placeholder, value));
        }, _time.GetUtcNow() + Ttl);
    }

    /// <summary>A keyed, non-reversible tag for hash mode (same value, same tag).</summary>
    public string HashTag(string label, string value) => $"<{label}_{Digest("hash", value)[..10]}>";

    /// <summary>Replaces every known placeholder of this scope in <paramref name="text"/> with its original value.</summary>
    public string Restore(string scope, string text)
    {
        if (!text.Contains('<', StringComparison.Ordinal)) return text;
        var scopeId = Digest("scope", scope);
        var now = _time.GetUtcNow();
        Dictionary<string, string>? seen = null; // one store lookup per distinct placeholder in this text
        return Placeholder().Replace(text, m =>
        {
            if (seen?.TryGetValue(m.Value, out var known) == true) return known;
            var sealedValue = _store.Find(scopeId, m.Value, now);
            var restored = sealedValue is null ? m.Value : Open(scope, m.Value, sealedValue) ?? m.Value;
            (seen ??= new(StringComparer.Ordinal))[m.Value] = restored;
            return restored;
        });
    }

    /// <summary>A key derived from the vault key for another purpose (e.g. keyed audit digests).</summary>
    internal byte[] DeriveKey(string purpose) => HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes("derive\n" + purpose));

    [GeneratedRegex(@"<[A-Z][A-Z_]*_\d{1,6}>", RegexOptions.CultureInvariant)]
    internal static partial Regex Placeholder();

    private byte[] ScopeKey(string scope) => HKDF.DeriveKey(HashAlgorithmName.SHA256, _key, 32, info: Encoding.UTF8.GetBytes("attest-guard-vault\n" + scope));

    private byte[] Seal(string scope, string placeholder, string value)
    {
        var plain = Encoding.UTF8.GetBytes(value);
        var output = new byte[12 + 16 + plain.Length];
        RandomNumberGenerator.Fill(output.AsSpan(0, 12));
        using var gcm = new AesGcm(ScopeKey(scope), 16);
        gcm.Encrypt(output.AsSpan(0, 12), plain, output.AsSpan(28), output.AsSpan(12, 16), Encoding.UTF8.GetBytes(placeholder));
        return output;
    }

    private string? Open(string scope, string placeholder, byte[] sealedValue)
    {
        var plain = new byte[sealedValue.Length - 28];
        try
        {
            using var gcm = new AesGcm(ScopeKey(scope), 16);
            gcm.Decrypt(sealedValue.AsSpan(0, 12), sealedValue.AsSpan(28), sealedValue.AsSpan(12, 16), plain, Encoding.UTF8.GetBytes(placeholder));
            return Encoding.UTF8.GetString(plain);
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
    }

    private string Digest(string purpose, string value) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(purpose + "\n" + value)));
}
