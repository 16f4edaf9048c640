using System.Text.RegularExpressions;
using Attest.Core.Guards;

namespace Attest.Guards.Pii;

/// <summary>Payment card numbers: 12–19 digits in consistent groups, Luhn-valid, in a known IIN range.</summary>
internal static partial class CardRecognizer
{
    private static readonly string[] Cues = ["card", "visa", "mastercard", "amex", "credit", "debit", "cc#", "payment", "kreditkarte", "carte"];

    [GeneratedRegex(@"(?<![\d-])(?:\d{4}[ -]\d{4}[ -]\d{4}[ -]\d{1,7}|\d{4}[ -]\d{6}[ -]\d{4,5}|\d{12,19})(?![\d-])", RegexOptions.CultureInvariant)]
    internal static partial Regex Candidate();

    public static void Scan(string text, List<GuardFinding> findings) => Scan(text, DigitRuns.Of(text), findings);

    public static void Scan(string text, in DigitRuns runs, List<GuardFinding> findings)
    {
        if (!runs.Card) return;
        Span<char> buf = stackalloc char[19];
        foreach (var m in Candidate().EnumerateMatches(text))
        {
            var span = text.AsSpan(m.Index, m.Length);
            int n = ContextWords.Digits(span, buf);
            if (n is < 12 or > 19) continue;
            var digits = buf[..n];
            if (!Checksums.Luhn(digits) || Checksums.CardBrand(digits) is null) continue;
            if (IsRepetitive(digits)) continue;
            double score = span.Length == n ? 0.85 : 0.95;
            if (ContextWords.Near(text, m.Index, m.Length, Cues)) score = 0.99;
            findings.Add(new GuardFinding("pii.card", m.Index, m.Length, score, "pii.card.luhn"));
        }
    }

    private static bool IsRepetitive(ReadOnlySpan<char> d)
    {
        foreach (var c in d[1..]) if (c != d[0]) return false;
        return true;
    }
}
