using System.Text.RegularExpressions;
using Attest.Core.Guards;

namespace Attest.Guards.Pii;

/// <summary>
/// Street addresses: a house number, one to three capitalised words and a street suffix (English, German,
/// French forms), optionally followed by a US state and ZIP or a UK postcode. Heuristic: free-form and
/// rural addresses are missed.
/// </summary>
internal static partial class AddressRecognizer
{
    private static readonly string[] Cues = ["address", "live at", "lives at", "located at", "ship to", "mail to", "deliver to", "residence", "wohnhaft", "adresse"];

    [GeneratedRegex(@"\b\d{1,5}[A-Za-z]?\s+(?:\p{Lu}[\p{Ll}]+\.?\s+){1,3}(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Terrace|Close|Crescent|Square|Parkway|Pkwy|Highway|Hwy)\b\.?(?:,?\s+(?:Apt|Suite|Unit|#)\.?\s*\w+)?(?:,\s*\p{Lu}[\p{Ll}]+(?:\s\p{Lu}[\p{Ll}]+)?)?(?:,?\s+[A-Z]{2}\s+\d{5}(?:-\d{4})?)?", RegexOptions.CultureInvariant)]
    private static partial Regex English();

    [GeneratedRegex(@"\b\p{Lu}[\p{Ll}ß]+(?:straße|strasse|weg|allee|platz|gasse)\s+\d{1,4}[a-z]?(?:,\s*\d{5}\s+\p{Lu}[\p{Ll}]+)?", RegexOptions.CultureInvariant)]
    private static partial Regex German();

    [GeneratedRegex(@"\b\d{1,4}(?:\s?(?:bis|ter))?,?\s+(?:rue|avenue|boulevard|place|chemin|allée|impasse)\s+(?:\p{L}+[\s'\-]?){1,5}", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex French();

    [GeneratedRegex(@"\b[A-Z]{1,2}\d[A-Z\d]?\s\d[A-Z]{2}\b", RegexOptions.CultureInvariant)]
    internal static partial Regex UkPostcode();

    /// <summary>The street suffixes of <see cref="English"/>.</summary>
    private static readonly string[] SuffixList =
        ["Street", "St", "Avenue", "Ave", "Road", "Rd", "Boulevard", "Blvd", "Lane", "Ln", "Drive", "Dr", "Court", "Ct", "Way", "Place", "Pl",
         "Terrace", "Close", "Crescent", "Square", "Parkway", "Pkwy", "Highway", "Hwy"];

    private static readonly System.Buffers.SearchValues<string> EnglishSuffixes = System.Buffers.SearchValues.Create(SuffixList, StringComparison.Ordinal);

    private static readonly System.Buffers.SearchValues<string> GermanSuffixes = System.Buffers.SearchValues.Create(
        ["straße", "strasse", "weg", "allee", "platz", "gasse"], StringComparison.Ordinal);

    private static readonly System.Buffers.SearchValues<string> FrenchWords = System.Buffers.SearchValues.Create(
        ["rue", "avenue", "boulevard", "place", "chemin", "impasse"], StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Prefilter for <see cref="English"/>: a street suffix after a blank and before a non-word character (the regex
    /// has <c>\s+</c> before it and <c>\b</c> after). Exact on ASCII text; other text only needs the suffix to occur.
    /// </summary>
    internal static bool MayHaveEnglishSuffix(ReadOnlySpan<char> span) => MayHaveEnglishSuffix(span, System.Text.Ascii.IsValid(span));

    private static bool MayHaveEnglishSuffix(ReadOnlySpan<char> span, bool ascii)
    {
        if (!ascii) return span.ContainsAny(EnglishSuffixes);
        int pos = 0;
        while (pos < span.Length)
        {
            int i = span[pos..].IndexOfAny(EnglishSuffixes);
            if (i < 0) return false;
            pos += i;
            if (pos > 0 && char.IsWhiteSpace(span[pos - 1]))
            {
                int end = pos + 1;
                while (end < span.Length && char.IsAsciiLetter(span[end])) end++;
                // The suffix is the letters here up to a non-word character; it must be one of the suffixes.
                if ((end == span.Length || !(char.IsAsciiDigit(span[end]) || span[end] == '_')) && IsSuffix(span[pos..end])) return true;
            }
            pos++;
        }
        return false;
    }

    private static readonly System.Collections.Frozen.FrozenSet<string> SuffixWords = System.Collections.Frozen.FrozenSet.Create(StringComparer.Ordinal, SuffixList);

    private static bool IsSuffix(ReadOnlySpan<char> word) => SuffixWords.GetAlternateLookup<ReadOnlySpan<char>>().Contains(word);

    public static void Scan(string text, List<GuardFinding> findings) => Scan(text, DigitRuns.Of(text), findings);

    public static void Scan(string text, in DigitRuns runs, List<GuardFinding> findings) => Scan(text, runs, findings, System.Text.Ascii.IsValid(text));

    /// <summary>Scans with <paramref name="ascii"/> saying whether the text is all ASCII (known to the caller).</summary>
    internal static void Scan(string text, in DigitRuns runs, List<GuardFinding> findings, bool ascii)
    {
        var span = text.AsSpan();
        // Each form needs one of its (case-sensitive) suffix words; the French one ignores case, so its prefilter is
        // used only on ASCII text, where case-insensitive means A–Z/a–z and "allée" cannot occur.
        if (MayHaveEnglishSuffix(span, ascii)) Add(text, findings, English(), 0.75, "pii.address.street");
        if (span.ContainsAny(GermanSuffixes)) Add(text, findings, German(), 0.7, "pii.address.de");
        if (!ascii || span.ContainsAny(FrenchWords)) Add(text, findings, French(), 0.7, "pii.address.fr");
        if (runs.Postcode)
        foreach (var m in UkPostcode().EnumerateMatches(text))
            if (ContextWords.Near(text, m.Index, m.Length, Cues, before: 80) || Overlaps(findings, m.Index - 40, 40))
                findings.Add(new GuardFinding("pii.address", m.Index, m.Length, 0.8, "pii.address.uk_postcode"));
    }

    private static void Add(string text, List<GuardFinding> findings, Regex regex, double score, string rule)
    {
        foreach (var m in regex.EnumerateMatches(text))
        {
            double s = ContextWords.Near(text, m.Index, m.Length, Cues) ? 0.95 : score;
            findings.Add(new GuardFinding("pii.address", m.Index, m.Length, s, rule));
        }
    }

    private static bool Overlaps(List<GuardFinding> findings, int start, int length)
    {
        foreach (var f in findings)
            if (f.Type == "pii.address" && start < f.Start + f.Length && f.Start < start + length) return true;
        return false;
    }
}
