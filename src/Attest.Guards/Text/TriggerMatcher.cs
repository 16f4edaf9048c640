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
/// vectorised <c>IndexOfAny</c>. Non-ASCII characters never equal an ASCII literal character (ordinal or ignoring case),
/// so they simply never match. <see cref="ScanGeneral{TVisitor}"/> is the plain reference search the tests compare against.
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
    private readonly int[] _single;
    private readonly Dictionary<int, int[]> _pairs = [];
    private readonly SearchValues<string> _general;

    public TriggerMatcher(IReadOnlyList<string> patterns, bool ignoreCase)
    {
        _patterns = [.. patterns];
        _ignoreCase = ignoreCase;
        _comparison = ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        var slots = new List<ulong> { 0, 0 };
        var singles = new List<int>();
        var pairs = new Dictionary<int, List<int>>();
        var byPrefix = new Dictionary<int, List<int>>();
        for (int p = 0; p < _patterns.Length; p++)
        {
            var s = _patterns[p];
            if (s.Length == 0 || !Ascii.IsValid(s) || s.Contains('\0', StringComparison.Ordinal)) throw new ArgumentException("trigger literals must be non-empty ASCII without NUL", nameof(patterns));
            if (s.Length == 1) { singles.Add(p); continue; }
            int b = Fold(s[0]) << 7 | Fold(s[1]);
            if (s.Length == 2)
            {
                _bigram[b] |= PairFlag;
                (pairs.TryGetValue(b, out var pl) ? pl : pairs[b] = []).Add(p);
                continue;
            }
            if ((_bigram[b] & SlotMask) == 0)
            {
                _bigram[b] |= (ushort)(slots.Count / 2);
                slots.Add(0);
                slots.Add(0);
            }
            int c = Fold(s[2]);
            slots[(_bigram[b] & SlotMask) * 2 + (c >> 6)] |= 1UL << (c & 63);
            int key = b << 7 | c;
            (byPrefix.TryGetValue(key, out var l) ? l : byPrefix[key] = []).Add(p);
        }
        _third = [.. slots];
        foreach (var (k, v) in byPrefix) _byPrefix[k] = [.. v];
        if (slots.Count / 2 > SlotMask) throw new ArgumentException("too many distinct literal prefixes", nameof(patterns));
        _single = [.. singles];
        foreach (var (k, v) in pairs) _pairs[k] = [.. v];
        _general = SearchValues.Create(_patterns, _comparison);
    }

    public IReadOnlyList<string> Patterns => _patterns;

    private const ushort PairFlag = 0x8000;
    private const ushort SlotMask = 0x7FFF;

    private int Fold(char c) => _ignoreCase && char.IsAsciiLetterUpper(c) ? c + 32 : c;

    private static readonly byte[] Identity = [.. Enumerable.Range(0, 128).Select(i => (byte)i)];
    private static readonly byte[] Lower = [.. Enumerable.Range(0, 128).Select(i => (byte)(i is >= 'A' and <= 'Z' ? i + 32 : i))];

    /// <summary>Reports every (pattern, position) occurrence once, in no particular order.</summary>
    public void Scan<TVisitor>(ReadOnlySpan<char> text, ref TVisitor visitor) where TVisitor : struct, ITriggerVisitor =>
        ScanTable(text, ref visitor);

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

    internal void ScanTable<TVisitor>(ReadOnlySpan<char> text, ref TVisitor visitor) where TVisitor : struct, ITriggerVisitor
    {
        foreach (int p in _single)
        {
            char c = _patterns[p][0];
            char other = _ignoreCase && char.IsAsciiLetter(c) ? (char)(c ^ 0x20) : c;
            int pos = 0;
            while (pos < text.Length)
            {
                int i = text[pos..].IndexOfAny(c, other);
                if (i < 0) break;
                if (!visitor.OnMatch(p, pos + i)) return;
                pos += i + 1;
            }
        }
        if (text.Length < 2) return;
        var bigram = _bigram;
        var third = _third;
        var fold = _ignoreCase ? Lower : Identity;
        int b = F(fold, text[0]);
        int last = text.Length - 1;
        for (int i = 0; i < last; i++)
        {
            b = (b << 7 | F(fold, text[i + 1])) & 0x3FFF;
            int entry = bigram[b];
            if (entry == 0) continue;
            if ((entry & PairFlag) != 0)
                foreach (int p in _pairs[b])
                    if (!visitor.OnMatch(p, i)) return;
            int slot = entry & SlotMask;
            if (slot == 0 || i + 2 > last) continue;
            int c = F(fold, text[i + 2]);
            if ((third[slot * 2 + (c >> 6)] >> (c & 63) & 1) == 0) continue;
            var rest = text[i..];
            foreach (int p in _byPrefix[b << 7 | c])
                if (StartsWith(rest, _patterns[p], fold) && !visitor.OnMatch(p, i)) return;
        }
    }

    /// <summary>
    /// The folded value of a text character; 0 (no literal contains it) for a non-ASCII one: under <c>OrdinalIgnoreCase</c>
    /// no non-ASCII character equals an ASCII one, so an ASCII literal never matches across one.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static int F(byte[] fold, char c) => c < 128 ? fold[c] : 0;

    /// <summary>ASCII comparison under the fold table (ordinal, or ASCII case-insensitive); avoids the culture-free slow path of <c>OrdinalIgnoreCase</c>.</summary>
    private static bool StartsWith(ReadOnlySpan<char> text, string pattern, byte[] fold)
    {
        if (text.Length < pattern.Length) return false;
        for (int k = 3; k < pattern.Length; k++)
            if (F(fold, text[k]) != fold[pattern[k]]) return false;
        return true;
    }
}
