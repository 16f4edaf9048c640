using System.Security.Cryptography;

namespace Attest.Storage.Keys;

/// <summary>Generates virtual keys and ids: <c>atk_</c> + 43 base62 characters (≈256 bits) from <see cref="RandomNumberGenerator"/>.</summary>
public static class KeyMaterial
{
    public const string Prefix = "atk_";
    private const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    /// <summary>A new key, e.g. <c>atk_7GfQ…</c>. Shown to the caller once and never stored.</summary>
    public static string NewKey() => Prefix + RandomNumberGenerator.GetString(Alphabet, 43);

    /// <summary>A new key id, e.g. <c>key_01h9…</c> (not secret).</summary>
    public static string NewId() => "key_" + RandomNumberGenerator.GetString("0123456789abcdefghijklmnopqrstuvwxyz", 16);

    /// <summary>The stored, displayable prefix of a key: <c>atk_</c> and the next 6 characters.</summary>
    public static string DisplayPrefix(string key) => key.Length <= Prefix.Length + 6 ? key : key[..(Prefix.Length + 6)];

    /// <summary>True when <paramref name="key"/> looks like an Attest key (prefix and length), before any lookup.</summary>
    public static bool LooksValid(string? key) => key is { Length: >= 36 and <= 256 } && key.StartsWith(Prefix, StringComparison.Ordinal);
}
