using System.Text.RegularExpressions;
using Attest.Core.Guards;

namespace Attest.Guards.Pii;

/// <summary>Dates of birth, passport and driver's licence numbers: only near their cue words (they look like any date or code).</summary>
internal static partial class ContextualIdRecognizer
{
    private static readonly string[] DobCues = ["born", "dob", "d.o.b", "date of birth", "birth date", "birthdate", "birthday", "geboren", "né le", "née le", "age:"];
    private static readonly string[] PassportCues = ["passport", "reisepass", "passeport", "travel document"];
    private static readonly string[] LicenceCues = ["driver's license", "driver's licence", "drivers license", "drivers licence", "driver license", "driver licence", "driving license", "driving licence", "dl#", "dl no", "dl number", "führerschein", "permis de conduire", "license number", "licence number"];

    [GeneratedRegex(@"(?<![\d/.\-])(?:\d{1,2}[/.\-]\d{1,2}[/.\-](?:19|20)\d{2}|(?:19|20)\d{2}-\d{2}-\d{2}|\d{1,2}(?:st|nd|rd|th)? (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?,? (?:19|20)\d{2}|(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.? \d{1,2}(?:st|nd|rd|th)?,? (?:19|20)\d{2})(?![\d/.\-])", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex Date();

    [GeneratedRegex(@"(?<![\w\-])(?=[A-Z0-9]*\d{5})[A-Z0-9]{6,9}(?![\w\-])", RegexOptions.CultureInvariant)]
    private static partial Regex PassportNumber();

    [GeneratedRegex(@"(?<![\w\-])(?=[A-Z0-9\-]*\d{4})[A-Z0-9][A-Z0-9\-]{4,17}[A-Z0-9](?![\w\-])", RegexOptions.CultureInvariant)]
    private static partial Regex LicenceNumber();

    /// <summary>Scans with <paramref name="ascii"/> saying whether the text is all ASCII (known to the caller).</summary>
    internal static void Scan(string text, List<GuardFinding> findings, bool ascii)
    {
        if (AnyCue(text, DobCues, ascii))
            foreach (var m in Date().EnumerateMatches(text))
            if (ContextWords.Near(text, m.Index, m.Length, DobCues, before: 40, after: 8))
                findings.Add(new GuardFinding("pii.dob", m.Index, m.Length, 0.9, "pii.dob.context"));
        if (AnyCue(text, PassportCues, ascii))
            foreach (var m in PassportNumber().EnumerateMatches(text))
            if (ContextWords.Near(text, m.Index, m.Length, PassportCues, before: 40, after: 0))
                findings.Add(new GuardFinding("pii.passport", m.Index, m.Length, 0.85, "pii.passport.context"));
        if (AnyCue(text, LicenceCues, ascii))
            foreach (var m in LicenceNumber().EnumerateMatches(text))
            if (ContextWords.Near(text, m.Index, m.Length, LicenceCues, before: 40, after: 0))
                findings.Add(new GuardFinding("pii.driver_license", m.Index, m.Length, 0.8, "pii.driver_license.context"));
    }

    private static readonly System.Buffers.SearchValues<string> DobSearch = System.Buffers.SearchValues.Create(DobCues, StringComparison.OrdinalIgnoreCase);
    private static readonly System.Buffers.SearchValues<string> PassportSearch = System.Buffers.SearchValues.Create(PassportCues, StringComparison.OrdinalIgnoreCase);
    private static readonly System.Buffers.SearchValues<string> LicenceSearch = System.Buffers.SearchValues.Create(LicenceCues, StringComparison.OrdinalIgnoreCase);

    // Cues with a non-ASCII letter (né le, führerschein) can only match text that has a non-ASCII character, so
    // ASCII text is searched with the ASCII cues alone (a faster searcher).
    private static readonly System.Buffers.SearchValues<string> DobAscii = AsciiOnly(DobCues);
    private static readonly System.Buffers.SearchValues<string> PassportAscii = AsciiOnly(PassportCues);
    private static readonly System.Buffers.SearchValues<string> LicenceAscii = AsciiOnly(LicenceCues);
    private static readonly System.Buffers.SearchValues<char> NonAscii = System.Buffers.SearchValues.Create(Enumerable.Range(128, 65536 - 128).Select(i => (char)i).ToArray());

    private static System.Buffers.SearchValues<string> AsciiOnly(string[] cues) =>
        System.Buffers.SearchValues.Create(cues.Where(c => System.Text.Ascii.IsValid(c)).ToArray(), StringComparison.OrdinalIgnoreCase);

    public static void Scan(string text, List<GuardFinding> findings) => Scan(text, findings, !text.AsSpan().ContainsAny(NonAscii));

    private static bool AnyCue(string text, string[] cues, bool ascii) =>
        text.AsSpan().ContainsAny(ReferenceEquals(cues, DobCues) ? (ascii ? DobAscii : DobSearch)
            : ReferenceEquals(cues, PassportCues) ? (ascii ? PassportAscii : PassportSearch) : (ascii ? LicenceAscii : LicenceSearch));
}
