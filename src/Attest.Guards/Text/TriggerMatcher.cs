using System.Buffers;
using System.Text;

namespace Attest.Guards.Text;

/// <summary>Receives the occurrences a <see cref="TriggerMatcher"/> finds.</summary>
internal interface ITriggerVisitor
{
    /// <summary>Pattern <paramref name="pattern"/> (index in the matcher's list) occurs at <paramref name="position"/>; return false to stop.</summary>
    bool OnMatch(int pattern, int position);
}

/// <summary>
/// Finds every occurrence of a set of ASCII literals (ordinal, or ASCII case-insensitive) in one pass. Built for
/// prefilters with dozens of literals, where <see cref="SearchValues{T}"/> of strings falls back to a slow
/// general search: each position is checked against an exact table of the literals' first two characters and a
/// bit set of their third, and only then compared. Literals shorter than three characters are found with a
/// vectorised <c>IndexOf</c>. Text that is not all ASCII takes the general path (same result).
/// Immutable and thread-safe.
/// </summary>
internal sealed class TriggerMatcher
{
    private readonly string[] _patterns;
    private readonly StringComparison _comparison;
    private readonly bool _ignoreCase;
    private readonly ushort[] _bigram = new ushort[1 << 14];
    private readonly ulong[] _third; // two words per bigram slot: the third characters that occur after it
    private readonly Dictionary<int, int[]> _byPrefix = [];
    private readonly int[] _short;
    private readonly SearchValues<string> _general;

    public TriggerMatcher(IReadOnlyList<string> patterns, bool ignoreCase)
    {
        _patterns = [.. patterns];
        _ignoreCase = ignoreCase;
        _comparison = ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        var slots = new List<ulong> { 0, 0 };
        var shorts = new List<int>();
        var byPrefix = new Dictionary<int, List<int>>();
        for (int p = 0; p < _patterns.Length; p++)
        {
            var s = _patterns[p];
            if (s.Length == 0 || !Ascii.IsValid(s)) throw new ArgumentException("trigger literals must be non-empty ASCII", nameof(patterns));
            if (s.Length < 3) { shorts.Add(p); continue; }
            int b = Fold(s[0]) << 7 | Fold(s[1]);
            if (_bigram[b] == 0)
            {
                _bigram[b] = (ushort)(slots.Count / 2);
                slots.Add(0);
                slots.Add(0);
            }
            int c = Fold(s[2]);
            slots[_bigram[b] * 2 + (c >> 6)] |= 1UL << (c & 63);
            int key = b << 7 | c;
            (byPrefix.TryGetValue(key, out var l) ? l : byPrefix[key] = []).Add(p);
        }
        _third = [.. slots];
        foreach (var (k, v) in byPrefix) _byPrefix[k] = [.. v];
        _short = [.. shorts];
        _general = SearchValues.Create(_patterns, _comparison);
    }

    public IReadOnlyList<string> Patterns => _patterns;

    private int Fold(char c) => _ignoreCase && char.IsAsciiLetterUpper(c) ? c + 32 : c;

    private static readonly byte[] Identity = [.. Enumerable.Range(0, 128).Select(i => (byte)i)];
    private static readonly byte[] Lower = [.. Enumerable.Range(0, 128).Select(i => (byte)(i is >= 'A' and <= 'Z' ? i + 32 : i))];

    /// <summary>Reports every (pattern, position) occurrence once, in no particular order.</summary>
    public void Scan<TVisitor>(ReadOnlySpan<char> text, ref TVisitor visitor) where TVisitor : struct, ITriggerVisitor
    {
        if (Ascii.IsValid(text)) ScanAscii(text, ref visitor);
        else ScanGeneral(text, ref visitor);
    }

    /// <summary>The reference path: a multi-string search, then every literal compared at each hit.</summary>
    internal void ScanGeneral<TVisitor>(ReadOnlySpan<char> text, ref TVisitor visitor) where TVisitor : struct, ITriggerVisitor
    {
        int pos = 0;
        while (pos < text.Length)
        {
            int i = text[pos..].IndexOfAny(_general);
            if (i < 0) return;
            pos += i;
            var rest = text[pos..];
            for (int p = 0; p < _patterns.Length; p++)
                if (rest.StartsWith(_patterns[p], _comparison) && !visitor.OnMatch(p, pos)) return;
            pos++;
        }
    }

    internal void ScanAscii<TVisitor>(ReadOnlySpan<char> text, ref TVisitor visitor) where TVisitor : struct, ITriggerVisitor
    {
        foreach (int p in _short)
        {
            var lit = _patterns[p];
            int pos = 0;
            while (pos < text.Length)
            {
                int i = text[pos..].IndexOf(lit, _comparison);
                if (i < 0) break;
                if (!visitor.OnMatch(p, pos + i)) return;
                pos += i + 1;
            }
        }
        if (text.Length < 3) return;
        var bigram = _bigram;
        var third = _third;
        var fold = _ignoreCase ? Lower : Identity;
        int b = fold[text[0]];
        int end = text.Length - 2;
        for (int i = 0; i < end; i++)
        {
            b = (b << 7 | fold[text[i + 1]]) & 0x3FFF;
            int slot = bigram[b];
            if (slot == 0) continue;
            int c = fold[text[i + 2]];
            if ((third[slot * 2 + (c >> 6)] >> (c & 63) & 1) == 0) continue;
            var rest = text[i..];
            foreach (int p in _byPrefix[b << 7 | c])
                if (rest.StartsWith(_patterns[p], _comparison) && !visitor.OnMatch(p, i)) return;
        }
    }
}
