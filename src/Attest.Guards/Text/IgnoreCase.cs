using System.Text;

namespace Attest.Guards.Text;

/// <summary>
/// Case-insensitive search for short literals, equal to <c>IndexOf(value, StringComparison.OrdinalIgnoreCase)</c>.
/// With invariant globalization that call takes a slow per-character path; for an ASCII literal the same answer
/// comes from a vectorised search for its first character (either case) and an ASCII comparison of the rest
/// (no non-ASCII character equals an ASCII one under <c>OrdinalIgnoreCase</c>). A non-ASCII literal is not in all-ASCII
/// text; in other text it is searched by the framework.
/// </summary>
internal static class IgnoreCase
{
    public static int IndexOf(ReadOnlySpan<char> text, string value)
    {
        if (value.Length == 0) return 0;
        if (!Ascii.IsValid(value))
        {
            // A non-ASCII literal character equals no ASCII character (ignoring case): all-ASCII text cannot hold it.
            return Ascii.IsValid(text) ? -1 : text.IndexOf(value, StringComparison.OrdinalIgnoreCase);
        }
        char first = value[0];
        char other = char.IsAsciiLetter(first) ? (char)(first ^ 0x20) : first;
        int pos = 0;
        int lastStart = text.Length - value.Length;
        while (pos <= lastStart)
        {
            int i = text[pos..(lastStart + 1)].IndexOfAny(first, other);
            if (i < 0) return -1;
            pos += i;
            if (Ascii.EqualsIgnoreCase(text.Slice(pos + 1, value.Length - 1), value.AsSpan(1))) return pos;
            pos++;
        }
        return -1;
    }
}
