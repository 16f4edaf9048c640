namespace Attest.Guards.Secrets;

/// <summary>Shannon entropy and shape checks used to tell random credentials from words, placeholders and ids.</summary>
public static class Entropy
{
    private static readonly System.Buffers.SearchValues<char> Hex = System.Buffers.SearchValues.Create("0123456789abcdefABCDEF");

    /// <summary>Bits per character of <paramref name="s"/> (ASCII; other characters share one bucket).</summary>
    public static double Shannon(ReadOnlySpan<char> s)
    {
        if (s.IsEmpty) return 0;
        Span<int> counts = stackalloc int[128];
        foreach (var c in s) counts[c < 128 ? c : 127]++;
        double h = 0;
        foreach (var n in counts)
        {
            if (n == 0) continue;
            double p = (double)n / s.Length;
            h -= p * Math.Log2(p);
        }
        return h;
    }

    /// <summary>True for values that are obviously not real secrets: placeholders, templates, masks and repeated characters.</summary>
    public static bool IsPlaceholder(ReadOnlySpan<char> v)
    {
        if (v.Length == 0) return true;
        if (v.StartsWith("${", StringComparison.Ordinal) || v.StartsWith("{{", StringComparison.Ordinal) || v.StartsWith('<') || v.StartsWith('%') || v.StartsWith("$(", StringComparison.Ordinal)) return true;
        if (v.IndexOfAnyExcept(v[0]) < 0) return true;
        ReadOnlySpan<string> words = ["changeme", "example", "placeholder", "your_", "your-", "xxxx", "****", "redacted", "dummy", "sample", "<", "password", "secret", "token", "null", "undefined", "none", "true", "false", "os.environ", "process.env", "getenv"];
        foreach (var w in words) if (v.Contains(w, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    /// <summary>Canonical UUID shape (8-4-4-4-12 hex): ids, not credentials, unless a provider rule says otherwise.</summary>
    public static bool IsUuid(ReadOnlySpan<char> v) => v.Length == 36 && v[8] == '-' && v[13] == '-' && v[18] == '-' && v[23] == '-' && Guid.TryParse(v, out _);

    /// <summary>All hex of a digest length (git SHA-1, SHA-256, MD5): hashes, not credentials, without a provider rule.</summary>
    public static bool IsHexDigest(ReadOnlySpan<char> v) => v.Length is 32 or 40 or 64 or 128 && !v.ContainsAnyExcept(Hex);
}
