using System.Text.RegularExpressions;
using Attest.Core.Guards;

namespace Attest.Guards.Pii;

/// <summary>
/// Phone numbers: E.164 (<c>+</c> and 8–15 digits) and national formats for the US, UK, Germany, France
/// and India. National numbers need their usual grouping, or a cue word when written as one digit run.
/// </summary>
internal static partial class PhoneRecognizer
{
    private static readonly string[] Cues = ["phone", "phones", "telephone", "tel", "call", "calls", "mobile", "cell", "fax", "whatsapp", "text me", "ring", "contact", "number", "handy", "téléphone", "portable", "telefon"];

    [GeneratedRegex(@"(?<![\w+])\+[1-9](?:[ .\-]?\(?\d{1,4}\)?){2,7}(?![\w])", RegexOptions.CultureInvariant)]
    internal static partial Regex E164();

    // US: (415) 555-2671, 415-555-2671, 415.555.2671
    [GeneratedRegex(@"(?<![\w\-.])(?:\(\d{3}\)\s?|\d{3}[\-. ])\d{3}[\-. ]\d{4}(?![\w\-])", RegexOptions.CultureInvariant)]
    internal static partial Regex Us();

    // UK: 020 7946 0958, 07700 900123, 0161 496 0000
    [GeneratedRegex(@"(?<![\w\-.])0(?:\d{2} \d{4} \d{4}|\d{3} \d{3} \d{4}|\d{4} \d{6}|\d{4} \d{3} \d{3})(?![\w\-])", RegexOptions.CultureInvariant)]
    internal static partial Regex Uk();

    // Germany: 030 12345678, 0151 23456789, 089/1234567, 0221-1234567
    [GeneratedRegex(@"(?<![\w\-.])0\d{2,4}[ /\-]\d{5,8}(?![\w\-])", RegexOptions.CultureInvariant)]
    internal static partial Regex De();

    // France: 01 23 45 67 89, 06.12.34.56.78
    [GeneratedRegex(@"(?<![\w\-.])0[1-9](?:[ .]\d{2}){4}(?![\w\-])", RegexOptions.CultureInvariant)]
    internal static partial Regex Fr();

    // India: 98765 43210, 9876543210 (mobile, leading 6–9)
    [GeneratedRegex(@"(?<![\w\-.])[6-9]\d{4}[ \-]?\d{5}(?![\w\-])", RegexOptions.CultureInvariant)]
    internal static partial Regex In();

    // Unformatted national run (10–11 digits starting with 0 or a US area code) — counted only with a cue.
    [GeneratedRegex(@"(?<![\w\-.])(?:0\d{9,10}|[2-9]\d{9})(?![\w\-])", RegexOptions.CultureInvariant)]
    internal static partial Regex Run();

    public static void Scan(string text, List<GuardFinding> findings) => Scan(text, DigitRuns.Of(text), findings);

    /// <summary>Each format's regex runs only when <paramref name="runs"/> shows it can match.</summary>
    public static void Scan(string text, in DigitRuns runs, List<GuardFinding> findings)
    {
        Span<char> buf = stackalloc char[32];
        if (runs.PhoneE164)
        foreach (var m in E164().EnumerateMatches(text))
        {
            int n = ContextWords.Digits(text.AsSpan(m.Index, m.Length), buf);
            if (n is >= 8 and <= 15) Add(text, findings, m.Index, m.Length, 0.9, "pii.phone.e164");
        }
        if (runs.PhoneUs) Add(text, findings, Us(), 0.8, "pii.phone.us");
        if (runs.PhoneUk) Add(text, findings, Uk(), 0.75, "pii.phone.uk");
        if (runs.PhoneDe) Add(text, findings, De(), 0.55, "pii.phone.de");
        if (runs.PhoneFr) Add(text, findings, Fr(), 0.8, "pii.phone.fr");
        if (runs.PhoneIn) Add(text, findings, In(), 0.5, "pii.phone.in");
        if (runs.PhoneRun) Add(text, findings, Run(), 0.3, "pii.phone.national");
    }

    private static void Add(string text, List<GuardFinding> findings, Regex regex, double baseScore, string rule)
    {
        foreach (var m in regex.EnumerateMatches(text)) Add(text, findings, m.Index, m.Length, baseScore, rule);
    }

    private static void Add(string text, List<GuardFinding> findings, int index, int length, double baseScore, string rule)
    {
        foreach (var f in findings)
            if (f.Type == "pii.phone" && index < f.Start + f.Length && f.Start < index + length) return;
        double score = ContextWords.Near(text, index, length, Cues) ? Math.Min(0.99, baseScore + 0.35) : baseScore;
        if (score >= 0.5) findings.Add(new GuardFinding("pii.phone", index, length, score, rule));
    }
}
