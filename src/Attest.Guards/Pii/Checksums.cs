namespace Attest.Guards.Pii;

/// <summary>Check digits of the identifiers the PII recognizers validate.</summary>
public static class Checksums
{
    /// <summary>Luhn (mod 10) over the digits of <paramref name="digits"/>.</summary>
    public static bool Luhn(ReadOnlySpan<char> digits)
    {
        int sum = 0;
        bool dbl = false;
        for (int i = digits.Length - 1; i >= 0; i--)
        {
            int d = digits[i] - '0';
            if ((uint)d > 9) return false;
            if (dbl) { d *= 2; if (d > 9) d -= 9; }
            sum += d;
            dbl = !dbl;
        }
        return digits.Length > 0 && sum % 10 == 0;
    }

    /// <summary>IBAN mod-97 (ISO 13616): move the first four characters to the end, letters to numbers, remainder 1.</summary>
    public static bool IbanMod97(ReadOnlySpan<char> iban)
    {
        if (iban.Length < 5) return false;
        int rem = 0;
        for (int k = 0; k < iban.Length; k++)
        {
            char c = iban[(k + 4) % iban.Length];
            if (c is >= '0' and <= '9') rem = (rem * 10 + (c - '0')) % 97;
            else if (c is >= 'A' and <= 'Z') rem = (rem * 100 + (c - 'A' + 10)) % 97;
            else return false;
        }
        return rem == 1;
    }

    /// <summary>ABA routing number: weights 3-7-1, sum divisible by 10, valid Federal Reserve prefix.</summary>
    public static bool AbaRouting(ReadOnlySpan<char> d)
    {
        if (d.Length != 9) return false;
        foreach (var c in d) if (c is < '0' or > '9') return false;
        int prefix = (d[0] - '0') * 10 + (d[1] - '0');
        if (!(prefix <= 12 || prefix is >= 21 and <= 32 || prefix is >= 61 and <= 72 || prefix == 80)) return false;
        int sum = 0;
        for (int i = 0; i < 9; i += 3)
            sum += 3 * (d[i] - '0') + 7 * (d[i + 1] - '0') + (d[i + 2] - '0');
        return sum % 10 == 0 && !d.SequenceEqual("000000000");
    }

    /// <summary>US SSN structure: area not 000, 666 or 900–999; group not 00; serial not 0000; known advertising numbers refused.</summary>
    public static bool UsSsn(int area, int group, int serial) =>
        area is > 0 and < 900 && area != 666 && group > 0 && serial > 0
        && !(area == 78 && group == 5 && serial == 1120) && !(area == 219 && group == 9 && serial == 9999)
        && !(area == 123 && group == 45 && serial == 6789);

    /// <summary>Card brand from the IIN (first digits) and length, or null when no known range matches.</summary>
    public static string? CardBrand(ReadOnlySpan<char> d)
    {
        int len = d.Length;
        int p2 = Prefix(d, 2), p3 = Prefix(d, 3), p4 = Prefix(d, 4), p6 = Prefix(d, 6);
        if (d[0] == '4' && len is 13 or 16 or 19) return "visa";
        if ((p2 is >= 51 and <= 55 || p4 is >= 2221 and <= 2720) && len == 16) return "mastercard";
        if (p2 is 34 or 37 && len == 15) return "amex";
        if ((p4 == 6011 || p3 is >= 644 and <= 649 || p2 == 65 || p6 is >= 622126 and <= 622925) && len is >= 16 and <= 19) return "discover";
        if ((p3 is >= 300 and <= 305 || p2 is 36 or 38 or 39 || p4 == 3095) && len is >= 14 and <= 19) return "diners";
        if (p4 is >= 3528 and <= 3589 && len is >= 16 and <= 19) return "jcb";
        if (p2 == 62 && len is >= 16 and <= 19) return "unionpay";
        if ((p2 is 50 or (>= 56 and <= 69)) && len is >= 12 and <= 19) return "maestro";
        return null;
    }

    private static int Prefix(ReadOnlySpan<char> d, int n)
    {
        if (d.Length < n) return -1;
        int v = 0;
        for (int i = 0; i < n; i++) v = v * 10 + (d[i] - '0');
        return v;
    }
}
