namespace Attest.Guards.Pii;

/// <summary>
/// Necessary conditions of the digit-based PII regexes, found in one pass over the text's runs of ASCII digits.
/// Each flag is false only when its regex cannot match; on text with any non-ASCII character (where <c>\d</c>
/// also matches other scripts' digits) every flag is true. Every pattern below starts at the first digit of a
/// run (its lookbehind rejects a digit before it), which is what makes the run-based conditions exact.
/// </summary>
internal readonly struct DigitRuns
{
    /// <summary>Card: a run of 12+ digits, or a run of exactly four followed by a blank or hyphen and a digit.</summary>
    public bool Card { get; init; }
    /// <summary>SSN: a run of 9+ digits, or runs of exactly three and two digits each followed by the same blank or hyphen, then a digit.</summary>
    public bool Ssn { get; init; }
    /// <summary>UK postcode: a run of one or two digits right after a capital letter.</summary>
    public bool Postcode { get; init; }
    /// <summary>ABA routing number: a run of 9+ digits.</summary>
    public bool Aba { get; init; }
    /// <summary>IBAN: a run of 2+ digits right after two capital letters.</summary>
    public bool Iban { get; init; }
    /// <summary>E.164 phone: a plus sign right before a run starting with 1–9.</summary>
    public bool PhoneE164 { get; init; }
    /// <summary>US phone: a run of exactly three followed by <c>-</c>, <c>.</c> or a blank and a digit.</summary>
    public bool PhoneUs { get; init; }
    /// <summary>UK phone: a run of 3–5 digits starting with 0, followed by a blank and a digit.</summary>
    public bool PhoneUk { get; init; }
    /// <summary>German phone: a run of 3–5 digits starting with 0, followed by a blank, slash or hyphen and a digit.</summary>
    public bool PhoneDe { get; init; }
    /// <summary>French phone: a run of exactly two digits starting with 0, followed by a blank or dot and a digit.</summary>
    public bool PhoneFr { get; init; }
    /// <summary>Indian mobile: a run of 5+ digits starting with 6–9.</summary>
    public bool PhoneIn { get; init; }
    /// <summary>Unformatted national number: a run of 10+ digits.</summary>
    public bool PhoneRun { get; init; }

    /// <summary>All flags true: every regex must run.</summary>
    public static DigitRuns All => new()
    {
        Card = true, Ssn = true, Postcode = true, Aba = true, Iban = true, PhoneE164 = true, PhoneUs = true, PhoneUk = true, PhoneDe = true, PhoneFr = true, PhoneIn = true, PhoneRun = true,
    };

    public static DigitRuns Of(string text) => Of(text, System.Text.Ascii.IsValid(text));

    /// <summary><see cref="Of(string)"/> when the caller already knows whether the text is all ASCII.</summary>
    public static DigitRuns Of(string text, bool ascii)
    {
        var span = text.AsSpan();
        if (!ascii) return All;
        bool card = false, ssn = false, postcode = false, aba = false, iban = false, e164 = false, us = false, uk = false, de = false, fr = false, inMobile = false, run = false;
        int pos = 0;
        while (pos < span.Length)
        {
            int i = span[pos..].IndexOfAnyInRange('0', '9');
            if (i < 0) break;
            int start = pos + i;
            int e = span[start..].IndexOfAnyExceptInRange('0', '9');
            int end = e < 0 ? span.Length : start + e;
            int len = end - start;
            char first = span[start];
            char next = end < span.Length ? span[end] : '\0';
            bool digitAfterNext = end + 1 < span.Length && char.IsAsciiDigit(span[end + 1]);
            if (len >= 12 || (len == 4 && next is ' ' or '-' && digitAfterNext)) card = true;
            if (len >= 9 || (len == 3 && next is ' ' or '-' && SsnTail(span, end, next))) ssn = true;
            if (len <= 2 && start > 0 && char.IsAsciiLetterUpper(span[start - 1])) postcode = true;
            if (len >= 9) aba = true;
            if (len >= 10) run = true;
            if (len >= 2 && start >= 2 && char.IsAsciiLetterUpper(span[start - 1]) && char.IsAsciiLetterUpper(span[start - 2])) iban = true;
            if (start > 0 && span[start - 1] == '+' && first != '0') e164 = true;
            if (len == 3 && next is '-' or '.' or ' ' && digitAfterNext) us = true;
            if (first == '0' && len is >= 3 and <= 5 && digitAfterNext)
            {
                if (next == ' ') uk = true;
                if (next is ' ' or '/' or '-') de = true;
            }
            if (first == '0' && len == 2 && next is ' ' or '.' && digitAfterNext) fr = true;
            if (first is >= '6' and <= '9' && len >= 5) inMobile = true;
            pos = end;
        }
        return new DigitRuns { Card = card, Ssn = ssn, Postcode = postcode, Aba = aba, Iban = iban, PhoneE164 = e164, PhoneUs = us, PhoneUk = uk, PhoneDe = de, PhoneFr = fr, PhoneIn = inMobile, PhoneRun = run };
    }

    /// <summary>After the area's separator at <paramref name="sep"/>: exactly two digits, the same separator, a digit.</summary>
    private static bool SsnTail(ReadOnlySpan<char> span, int sep, char separator) =>
        sep + 4 < span.Length && char.IsAsciiDigit(span[sep + 1]) && char.IsAsciiDigit(span[sep + 2])
        && span[sep + 3] == separator && char.IsAsciiDigit(span[sep + 4]);
}
