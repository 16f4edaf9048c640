using System.Buffers;
using Attest.Core.Guards;

namespace Attest.Guards.Pii;

/// <summary>E-mail addresses, found by scanning for <c>@</c> and expanding over RFC 5322 dot-atoms (no regex).</summary>
internal static class EmailRecognizer
{
    private static readonly SearchValues<char> LocalChars =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.!#$%&'*+/=?^_`{|}~-");
    private static readonly SearchValues<char> DomainChars =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-");

    public static void Scan(string text, List<GuardFinding> findings)
    {
        var span = text.AsSpan();
        int at = span.IndexOf('@');
        while (at >= 0)
        {
            int s = at;
            while (s > 0 && LocalChars.Contains(span[s - 1]) && at - s < 64) s--;
            while (s < at && span[s] == '.') s++;
            int e = at + 1;
            while (e < span.Length && DomainChars.Contains(span[e]) && e - at < 255) e++;
            while (e > at + 1 && span[e - 1] is '.' or '-') e--;
            if (s < at && ValidDomain(span[(at + 1)..e]) && !span[s..at].Contains("..", StringComparison.Ordinal))
            {
                findings.Add(new GuardFinding("pii.email", s, e - s, 0.99, "pii.email"));
                at = span[e..].IndexOf('@') is var n and >= 0 ? e + n : -1;
                continue;
            }
            int next = span[(at + 1)..].IndexOf('@');
            at = next < 0 ? -1 : at + 1 + next;
        }
    }

    private static bool ValidDomain(ReadOnlySpan<char> domain)
    {
        int dot = domain.LastIndexOf('.');
        if (dot <= 0 || domain.Length - dot - 1 < 2) return false;
        foreach (var c in domain[(dot + 1)..]) if (!char.IsAsciiLetter(c)) return false;
        return !domain.Contains("..", StringComparison.Ordinal) && domain[0] != '-' && domain[0] != '.';
    }
}
