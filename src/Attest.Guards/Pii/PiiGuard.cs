using System.Buffers;
using Attest.Core.Guards;

namespace Attest.Guards.Pii;

/// <summary>All PII recognizers. Each runs only when the text holds the characters it needs (cheap prefilters).</summary>
public sealed class PiiGuard : IContentGuard
{
    private static readonly SearchValues<char> Digits = SearchValues.Create("0123456789");

    public string Name => "pii";

    public void Scan(string text, GuardScan scan, List<GuardFinding> findings)
    {
        if (text.Contains('@', StringComparison.Ordinal)) EmailRecognizer.Scan(text, findings);
        // Whether the text is all ASCII decides several prefilters; checked once here for all of them.
        bool ascii = System.Text.Ascii.IsValid(text);
        bool digits = text.AsSpan().ContainsAny(Digits);
        if (digits)
        {
            // One pass over the digit runs tells which digit-pattern regexes can match at all.
            var runs = DigitRuns.Of(text, ascii);
            CardRecognizer.Scan(text, runs, findings);
            SsnRecognizer.Scan(text, runs, findings);
            IbanRecognizer.Scan(text, runs, findings);
            PhoneRecognizer.Scan(text, runs, findings);
            AbaRecognizer.Scan(text, runs, findings);
            ContextualIdRecognizer.Scan(text, findings, ascii);
            AddressRecognizer.Scan(text, runs, findings, ascii);
        }
        IpRecognizer.Scan(text, findings, ascii);
        NameRecognizer.Scan(text, findings, ascii);
        RemoveShadowed(findings);
    }

    /// <summary>A phone or SSN inside a card, IBAN or IP span is the same digits seen twice: keep the checksummed type.</summary>
    private static void RemoveShadowed(List<GuardFinding> findings)
    {
        for (int i = findings.Count - 1; i >= 0; i--)
        {
            var f = findings[i];
            if (f.Type is not ("pii.phone" or "pii.ssn" or "pii.aba" or "pii.passport" or "pii.driver_license" or "pii.dob")) continue;
            foreach (var g in findings)
            {
                // Span containment first (integer compares), then the type names.
                if (g.Start <= f.Start && f.Start + f.Length <= g.Start + g.Length
                    && g.Type is "pii.card" or "pii.iban" or "pii.ip" or "pii.email" or "pii.ssn" && g.Type != f.Type)
                {
                    findings.RemoveAt(i);
                    break;
                }
            }
        }
    }
}
