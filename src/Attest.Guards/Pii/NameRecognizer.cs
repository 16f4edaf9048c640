using System.Text.RegularExpressions;
using Attest.Core.Guards;

namespace Attest.Guards.Pii;

/// <summary>
/// Person names: a capitalised name after a cue (<c>my name is</c>, <c>Mr.</c>, <c>Dr.</c>, <c>name:</c>, <c>signed</c>),
/// or a gazetteer given name followed by a capitalised surname. Heuristic: misses names without cues that
/// are not in the gazetteer and can flag capitalised phrases after a cue.
/// </summary>
internal static partial class NameRecognizer
{
    [GeneratedRegex(@"(?:\b(?:my name is|name is|i am|i'm|this is|named|called|name:|patient:|customer:|employee:|signed,?|regards,|sincerely,)\s+|\b(?:Mr|Mrs|Ms|Miss|Dr|Prof|Herr|Frau|Mme|M)\.?\s+)(?<n>\p{Lu}[\p{Ll}'\-]+(?:\s+\p{Lu}[\p{Ll}'\-]+){0,2})", RegexOptions.CultureInvariant)]
    private static partial Regex Cued();

    [GeneratedRegex(@"\b(?<g>\p{Lu}[\p{Ll}\-]+)\s+(?<s>\p{Lu}[\p{Ll}'\-]{1,}(?:-\p{Lu}[\p{Ll}]+)?)\b", RegexOptions.CultureInvariant)]
    private static partial Regex GivenSurname();

    public static void Scan(string text, List<GuardFinding> findings) => Scan(text, findings, System.Text.Ascii.IsValid(text));

    /// <summary>Scans with <paramref name="ascii"/> saying whether the text is all ASCII (known to the caller).</summary>
    internal static void Scan(string text, List<GuardFinding> findings, bool ascii)
    {
        int before = findings.Count;
        if (MayHaveCue(text, ascii))
        for (var m = Cued().Match(text); m.Success; m = m.NextMatch())
        {
            var g = m.Groups["n"];
            var first = g.ValueSpan.IndexOfAny(' ', '\t', '\n') is var sp and > 0 ? g.ValueSpan[..sp] : g.ValueSpan;
            if (Gazetteer.NotSurnames.GetAlternateLookup<ReadOnlySpan<char>>().Contains(first)) continue;
            findings.Add(new GuardFinding("pii.person", g.Index, g.Length, 0.8, "pii.person.cue"));
        }
        for (var m = FirstGivenSurname(text, ascii, 0); m.Success; m = ascii ? FirstGivenSurname(text, true, m.Index + m.Length) : m.NextMatch())
        {
            if (!Gazetteer.GivenNames.GetAlternateLookup<ReadOnlySpan<char>>().Contains(m.Groups["g"].ValueSpan)) continue;
            if (Gazetteer.NotSurnames.GetAlternateLookup<ReadOnlySpan<char>>().Contains(m.Groups["s"].ValueSpan)) continue;
            bool covered = false;
            for (int i = before; i < findings.Count; i++)
                if (m.Index < findings[i].Start + findings[i].Length && findings[i].Start < m.Index + m.Length) covered = true;
            if (!covered) findings.Add(new GuardFinding("pii.person", m.Index, m.Length, 0.65, "pii.person.gazetteer"));
        }
    }

    [GeneratedRegex(@"\G(?:\b(?<g>\p{Lu}[\p{Ll}\-]+)\s+(?<s>\p{Lu}[\p{Ll}'\-]{1,}(?:-\p{Lu}[\p{Ll}]+)?)\b)", RegexOptions.CultureInvariant)]
    private static partial Regex GivenSurnameAt();

    /// <summary>
    /// The first <see cref="GivenSurname"/> match at or after <paramref name="from"/>. ASCII text: a match starts at an
    /// upper-case letter A–Z after a non-word character, so only those positions are tried (vectorised search), anchored.
    /// </summary>
    internal static Match FirstGivenSurname(string text, bool ascii, int from)
    {
        if (!ascii) return GivenSurname().Match(text, from);
        var span = text.AsSpan();
        for (int k = from; k < span.Length; k++)
        {
            int next = span[k..].IndexOfAnyInRange('A', 'Z');
            if (next < 0) break;
            k += next;
            if (k > 0 && (char.IsAsciiLetterOrDigit(span[k - 1]) || span[k - 1] == '_')) continue;
            if (!CapitalisedPairAt(span, k)) continue;
            var m = GivenSurnameAt().Match(text, k);
            if (m.Success) return m;
        }
        return Match.Empty;
    }

    /// <summary>
    /// ASCII shape a <see cref="GivenSurname"/> match needs at <paramref name="k"/>: a capital, lower-case letters or
    /// hyphens, blanks, and another capital. Cheap, and false for most capitals (sentence starts).
    /// </summary>
    private static bool CapitalisedPairAt(ReadOnlySpan<char> span, int k)
    {
        int j = k + 1;
        while (j < span.Length && (char.IsAsciiLetterLower(span[j]) || span[j] == '-')) j++;
        if (j == k + 1) return false;
        int blanks = j;
        while (j < span.Length && char.IsWhiteSpace(span[j])) j++;
        return j > blanks && j < span.Length && char.IsAsciiLetterUpper(span[j]);
    }

    private static readonly System.Buffers.SearchValues<string> CuePhrases = System.Buffers.SearchValues.Create(
        ["name is", "i am", "i'm", "this is", "named", "called", "name:", "patient:", "customer:", "employee:", "signed", "regards,", "sincerely,"],
        StringComparison.Ordinal);

    private static readonly System.Collections.Frozen.FrozenSet<string> Titles =
        System.Collections.Frozen.FrozenSet.Create(StringComparer.Ordinal, "Mr", "Mrs", "Ms", "Miss", "Dr", "Prof", "Herr", "Frau", "Mme", "M");

    /// <summary>
    /// Prefilter for <see cref="Cued"/>: one of its cue phrases occurs, or a title word (whole word, then an optional
    /// dot and blanks) stands before an upper-case letter. Text without either cannot match, so the regex is skipped.
    /// </summary>
    internal static bool MayHaveCue(string text, bool ascii)
    {
        var span = text.AsSpan();
        if (span.ContainsAny(CuePhrases)) return true;
        var titles = Titles.GetAlternateLookup<ReadOnlySpan<char>>();
        for (int k = 1; k < span.Length; k++)
        {
            if (ascii)
            {
                // In ASCII text the upper-case letters are A–Z: jump to the next one (vectorised).
                int next = span[k..].IndexOfAnyInRange('A', 'Z');
                if (next < 0) break;
                k += next;
            }
            if (!char.IsUpper(span[k]) || !char.IsWhiteSpace(span[k - 1])) continue;
            int end = k - 1;
            while (end >= 0 && char.IsWhiteSpace(span[end])) end--;
            if (end >= 0 && span[end] == '.') end--;
            int start = end;
            while (start >= 0 && (char.IsLetterOrDigit(span[start]) || span[start] == '_')) start--;
            if (end > start && titles.Contains(span[(start + 1)..(end + 1)])) return true;
        }
        return false;
    }
}
