using System.Buffers;
using System.Text.RegularExpressions;

namespace Attest.Server.Providers;

/// <summary>Deterministic text helpers of the offline provider: tokens, words, and a stable 64-bit hash.</summary>
public static partial class OfflineText
{
    private static readonly SearchValues<char> Punctuation = SearchValues.Create(".,;:!?()[]{}\"'`<>/\\|-_=+*&^%$#@~");

    /// <summary>
    /// Counts tokens deterministically: each word counts one token per started four characters and
    /// each punctuation character counts one. Close to BPE counts for English, and stable across runs.
    /// </summary>
    public static int CountTokens(ReadOnlySpan<char> text)
    {
        int tokens = 0, run = 0;
        foreach (var c in text)
        {
            if (char.IsLetterOrDigit(c)) { run++; continue; }
            if (run > 0) { tokens += (run + 3) / 4; run = 0; }
            if (Punctuation.Contains(c)) tokens++;
        }
        if (run > 0) tokens += (run + 3) / 4;
        return tokens;
    }

    /// <summary>Lower-cased words of at least two letters or digits.</summary>
    public static IEnumerable<string> Words(string text)
    {
        foreach (Match m in WordPattern().Matches(text)) yield return m.Value.ToLowerInvariant();
    }

    /// <summary>FNV-1a 64-bit over UTF-16 code units: stable across processes (unlike string.GetHashCode).</summary>
    public static ulong Hash(string text)
    {
        var h = 14695981039346656037UL;
        foreach (var c in text)
        {
            h ^= c;
            h *= 1099511628211UL;
        }
        return h;
    }

    [GeneratedRegex(@"[\p{L}\p{N}]{2,}")]
    private static partial Regex WordPattern();
}
