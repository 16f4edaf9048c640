using System.Buffers;
using System.Text;

namespace Attest.Guards.Injection;

/// <summary>
/// Folds text into the form the injection detectors read: NFKC where available, confusables (Cyrillic,
/// Greek, full-width) to Latin, zero-width and bidi controls removed, leetspeak digits to letters,
/// lower case, whitespace runs to one space, and letters spaced out one by one (<c>i g n o r e</c>) joined.
/// </summary>
public static partial class TextNormalizer
{
    private static readonly SearchValues<char> NonAscii = SearchValues.Create(Enumerable.Range(128, 65536 - 128).Select(i => (char)i).ToArray());

    public static string Normalize(string text) => TryNormalizeAscii(text, out var plain) ? plain : NormalizeGeneral(text);

    /// <summary>The general path of <see cref="Normalize"/> (any text); internal so the equivalence tests can call it.</summary>
    internal static string NormalizeGeneral(string text)
    {
        string s = text;
        if (s.AsSpan().ContainsAny(NonAscii))
        {
            try { s = s.Normalize(NormalizationForm.FormKC); }
            catch (PlatformNotSupportedException) { /* invariant globalization without ICU: the fold table below still applies */ }
        }
        // Two pooled buffers: folded text (a blank run becomes one or two spaces), then spaced letters joined.
        char[] folded = ArrayPool<char>.Shared.Rent(s.Length * 2 + 2);
        char[] joined = ArrayPool<char>.Shared.Rent(s.Length * 2 + 2);
        try
        {
            int length = Fold(s, folded);
            int n = JoinSpacedLetters(folded.AsSpan(0, length), joined);
            return CollapseSpaces(joined.AsSpan(0, n));
        }
        finally
        {
            ArrayPool<char>.Shared.Return(folded);
            ArrayPool<char>.Shared.Return(joined);
        }
    }

    /// <summary>ASCII fold table (high bit: the folded character is white space).</summary>
    private static readonly ushort[] AsciiFold = BuildAsciiFold();

    private static ushort[] BuildAsciiFold()
    {
        var table = new ushort[128];
        for (int i = 0; i < 128; i++)
        {
            char c = Fold((char)i);
            table[i] = (ushort)(c | (char.IsWhiteSpace(c) ? 0x8000 : 0));
        }
        return table;
    }

    private static int Fold(string s, Span<char> dst)
    {
        int n = 0, spaces = 0;
        var table = AsciiFold;
        foreach (var raw in s)
        {
            char c;
            bool white;
            if (raw < 128)
            {
                ushort t = table[raw];
                c = (char)(t & 0x7FFF);
                white = t >= 0x8000;
            }
            else
            {
                c = Fold(raw);
                white = char.IsWhiteSpace(c);
            }
            if (c == '\0') continue;
            if (white)
            {
                spaces++;
                continue;
            }
            // A run of two or more blanks is kept as two, so spaced-out words (i g n o r e   a l l) keep their breaks.
            if (spaces > 0 && n > 0)
            {
                dst[n++] = ' ';
                if (spaces > 1) dst[n++] = ' ';
            }
            spaces = 0;
            dst[n++] = c;
        }
        return n;
    }

    /// <summary>Trailing spaces dropped and runs of spaces folded to one, in place; allocates the result string only.</summary>
    private static string CollapseSpaces(Span<char> s)
    {
        s = s.TrimEnd(' ');
        if (!s.Contains("  ", StringComparison.Ordinal)) return new string(s);
        int n = 0;
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] == ' ' && n > 0 && s[n - 1] == ' ') continue;
            s[n++] = s[i];
        }
        return new string(s[..n]);
    }

    private static char Fold(char c)
    {
        if (c < 128)
        {
            return c switch
            {
                '0' => 'o', '1' => 'i', '3' => 'e', '4' => 'a', '5' => 's', '7' => 't', '@' => 'a', '$' => 's', '!' => '!',
                >= 'A' and <= 'Z' => (char)(c + 32),
                _ => c,
            };
        }
        if (c is '\u200B' or '\u200C' or '\u200D' or '\u2060' or '\uFEFF' or '\u00AD' || c is >= '\u202A' and <= '\u202E' || c is >= '\u2066' and <= '\u2069' || c is '\u200E' or '\u200F') return '\0';
        if (c is >= '\uFF01' and <= '\uFF5E') return Fold((char)(c - 0xFEE0));
        return c switch
        {
            'а' or 'А' or 'α' or 'Α' => 'a', 'е' or 'Е' or 'ε' or 'Ε' => 'e', 'о' or 'О' or 'ο' or 'Ο' => 'o', 'р' or 'Р' or 'ρ' or 'Ρ' => 'p',
            'с' or 'С' => 'c', 'х' or 'Х' or 'χ' or 'Χ' => 'x', 'у' or 'У' or 'γ' => 'y', 'і' or 'І' or 'ι' or 'Ι' => 'i', 'ј' or 'Ј' => 'j',
            'ѕ' or 'Ѕ' => 's', 'ԁ' => 'd', 'ɡ' => 'g', 'һ' => 'h', 'ո' => 'n', 'ս' => 'u', 'ν' or 'Ν' => 'v', 'τ' or 'Τ' => 't', 'κ' or 'Κ' => 'k',
            'Μ' or 'м' => 'm', 'Β' or 'в' => 'b', 'Η' or 'н' => 'h', 'Ζ' => 'z', 'т' => 't', 'к' or 'К' => 'k',
            '\u2018' or '\u2019' => '\'', '\u201C' or '\u201D' => '"', '\u2013' or '\u2014' => '-', '\u00A0' or '\u2007' or '\u202F' or '\u3000' => ' ',
            _ => char.ToLowerInvariant(c),
        };
    }

    /// <summary>Joins runs of four or more single letters separated by single spaces (<c>i g n o r e</c> → <c>ignore</c>) into <paramref name="dst"/>; returns the length.</summary>
    private static int JoinSpacedLetters(ReadOnlySpan<char> s, Span<char> dst)
    {
        if (s.Length < 7)
        {
            s.CopyTo(dst);
            return s.Length;
        }
        int n = 0, i = 0;
        while (i < s.Length)
        {
            int j = i, letters = 0;
            while (j < s.Length && char.IsLetter(s[j]) && (j + 1 == s.Length || s[j + 1] == ' ') && (j == 0 || s[j - 1] == ' ' || j == i))
            {
                letters++;
                j += 2;
            }
            if (letters >= 4)
            {
                for (int k = i; k < Math.Min(j, s.Length); k += 2) dst[n++] = s[k];
                if (j - 1 < s.Length) dst[n++] = ' ';
                i = j;
            }
            else
            {
                dst[n++] = s[i];
                i++;
            }
        }
        return n;
    }
}
