using System.Buffers;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
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
/// general search. With AVX2, eight positions at a time gather a bit from a hashed set of the literals' first
/// three characters (any third character for two-character literals); a position whose bit is set (or every
/// position, without AVX2) is checked against an exact table of first two characters, a bit set of third
/// characters, and then the literal. One-character literals are found with a vectorised <c>IndexOfAny</c>.
/// Non-ASCII characters never equal an ASCII literal character (ordinal or ignoring case), so they never match.
/// <see cref="ScanGeneral{TVisitor}"/> is the plain reference search the tests compare against.
/// Immutable and thread-safe.
/// </summary>
internal sealed class TriggerMatcher
{
    private readonly string[] _patterns;
    private readonly StringComparison _comparison;
    private readonly bool _ignoreCase;
    private readonly ushort[] _bigram = new ushort[1 << 14];
    private readonly int[] _prefixBits = new int[(1 << 16) / 32]; // hashed (first, second, third) characters, for vector gathers
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
        foreach (var lit in _patterns)
        {
            if (lit.Length < 2) continue;
            if (lit.Length == 2) { for (int c = 0; c < 128; c++) SetPrefixBit(Fold(lit[0]), Fold(lit[1]), c); }
            else SetPrefixBit(Fold(lit[0]), Fold(lit[1]), Fold(lit[2]));
        }
        foreach (var (k, v) in byPrefix) _byPrefix[k] = [.. v];
        if (slots.Count / 2 > SlotMask) throw new ArgumentException("too many distinct literal prefixes", nameof(patterns));
        _single = [.. singles];
        foreach (var (k, v) in pairs) _pairs[k] = [.. v];
        _general = SearchValues.Create(_patterns, _comparison);
    }

    public IReadOnlyList<string> Patterns => _patterns;

    private void SetPrefixBit(int c0, int c1, int c2)
    {
        int h = c0 << 9 ^ c1 << 4 ^ c2;
        _prefixBits[h >> 5] |= 1 << (h & 31);
    }

    private const ushort PairFlag = 0x8000;
    private const ushort SlotMask = 0x7FFF;

    private int Fold(char c) => _ignoreCase && char.IsAsciiLetterUpper(c) ? c + 32 : c;

    private static readonly byte[] Identity = [.. Enumerable.Range(0, 128).Select(i => (byte)i)];
    private static readonly byte[] Lower = [.. Enumerable.Range(0, 128).Select(i => (byte)(i is >= 'A' and <= 'Z' ? i + 32 : i))];

    /// <summary>Reports every (pattern, position) occurrence once, in no particular order.</summary>
    public void Scan<TVisitor>(ReadOnlySpan<char> text, ref TVisitor visitor) where TVisitor : struct, ITriggerVisitor, allows ref struct =>
        ScanTable(text, ref visitor);

    /// <summary>The reference path: a multi-string search, then every literal compared at each hit.</summary>
    internal void ScanGeneral<TVisitor>(ReadOnlySpan<char> text, ref TVisitor visitor) where TVisitor : struct, ITriggerVisitor, allows ref struct
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

    internal void ScanTable<TVisitor>(ReadOnlySpan<char> text, ref TVisitor visitor) where TVisitor : struct, ITriggerVisitor, allows ref struct
    {
        foreach (int p in _single)
        {
            char c = _patterns[p][0];
            char other = _ignoreCase && char.IsAsciiLetter(c) ? (char)(c ^ 0x20) : c;
            int pos = 0;
            while (pos < text.Length)
            {
                int at = text[pos..].IndexOfAny(c, other);
                if (at < 0) break;
                if (!visitor.OnMatch(p, pos + at)) return;
                pos += at + 1;
            }
        }
        if (text.Length < 2) return;
        var fold = _ignoreCase ? Lower : Identity;
        int last = text.Length - 1;
        int i = 0;
        if (Avx2.IsSupported)
        {
            // Eight positions at a time: a hashed bit set of the literals' first three characters (every third character
            // for two-character literals) gathered per position; only positions whose bit is set are checked exactly.
            var chars = MemoryMarshal.Cast<char, ushort>(text);
            var bits = _prefixBits;
            for (; i + 10 <= text.Length; i += 8)
            {
                var c0 = FoldVector(Avx2.ConvertToVector256Int32(Vector128.Create(chars.Slice(i, 8))));
                var c1 = FoldVector(Avx2.ConvertToVector256Int32(Vector128.Create(chars.Slice(i + 1, 8))));
                var c2 = FoldVector(Avx2.ConvertToVector256Int32(Vector128.Create(chars.Slice(i + 2, 8))));
                var h = Avx2.ShiftLeftLogical(c0, 9) ^ Avx2.ShiftLeftLogical(c1, 4) ^ c2;
                var words = Gather(bits, Avx2.ShiftRightLogical(h, 5));
                var bit = Avx2.ShiftRightLogicalVariable(words.AsUInt32(), (h & Vector256.Create(31)).AsUInt32()) & Vector256.Create(1u);
                uint mask = ~Vector256.Equals(bit, Vector256<uint>.Zero).ExtractMostSignificantBits() & 0xFF;
                while (mask != 0)
                {
                    int k = System.Numerics.BitOperations.TrailingZeroCount(mask);
                    mask &= mask - 1;
                    if (!CheckAt(text, i + k, fold, ref visitor)) return;
                }
            }
        }
        for (; i < last; i++)
            if (!CheckAt(text, i, fold, ref visitor)) return;
    }

    /// <summary>Reports the literals of two or more characters that start at <paramref name="i"/>; false when the visitor stops.</summary>
    private bool CheckAt<TVisitor>(ReadOnlySpan<char> text, int i, byte[] fold, ref TVisitor visitor) where TVisitor : struct, ITriggerVisitor, allows ref struct
    {
        int b = F(fold, text[i]) << 7 | F(fold, text[i + 1]);
        int entry = _bigram[b];
        if (entry == 0) return true;
        if ((entry & PairFlag) != 0)
            foreach (int p in _pairs[b])
                if (!visitor.OnMatch(p, i)) return false;
        int slot = entry & SlotMask;
        if (slot == 0 || i + 2 >= text.Length) return true;
        int c = F(fold, text[i + 2]);
        if ((_third[slot * 2 + (c >> 6)] >> (c & 63) & 1) == 0) return true;
        var rest = text[i..];
        foreach (int p in _byPrefix[b << 7 | c])
            if (StartsWith(rest, _patterns[p], fold) && !visitor.OnMatch(p, i)) return false;
        return true;
    }

    /// <summary>The fold of eight characters: non-ASCII to 0; A–Z to a–z when ignoring case.</summary>
    private Vector256<int> FoldVector(Vector256<int> c)
    {
        c &= Vector256.LessThan(c, Vector256.Create(128));
        if (!_ignoreCase) return c;
        var upper = Vector256.LessThan((c - Vector256.Create((int)'A')).AsUInt32(), Vector256.Create(26u)).AsInt32();
        return c | (upper & Vector256.Create(0x20));
    }

    private static unsafe Vector256<int> Gather(int[] table, Vector256<int> indices)
    {
        fixed (int* p = table) return Avx2.GatherVector256(p, indices, 4);
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
