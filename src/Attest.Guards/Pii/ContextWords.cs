using Attest.Guards.Text;

namespace Attest.Guards.Pii;

/// <summary>Looks for cue words near a span; a cue raises a finding's score.</summary>
public static class ContextWords
{
    /// <summary>Characters before the span that are searched for cues.</summary>
    public const int Before = 48;
    /// <summary>Characters after the span that are searched for cues.</summary>
    public const int After = 24;

    /// <summary>True when any of <paramref name="words"/> occurs (case-insensitive) in the window around the span.</summary>
    public static bool Near(string text, int start, int length, ReadOnlySpan<string> words, int before = Before, int after = After)
    {
        int from = Math.Max(0, start - before);
        int to = Math.Min(text.Length, start + length + after);
        var window = text.AsSpan(from, to - from);
        foreach (var w in words)
        {
            int pos = 0;
            while (pos < window.Length)
            {
                int i = IgnoreCase.IndexOf(window[pos..], w);
                if (i < 0) break;
                i += pos;
                bool left = i == 0 || !char.IsLetter(window[i - 1]) || !char.IsLetter(w[0]);
                bool right = i + w.Length >= window.Length || !char.IsLetter(window[i + w.Length]) || !char.IsLetter(w[^1]);
                if (left && right) return true;
                pos = i + 1;
            }
        }
        return false;
    }

    /// <summary>Copies the digits of a span into <paramref name="buffer"/>; returns how many.</summary>
    public static int Digits(ReadOnlySpan<char> span, Span<char> buffer)
    {
        int n = 0;
        foreach (var c in span)
        {
            if (c is >= '0' and <= '9')
            {
                if (n == buffer.Length) return -1;
                buffer[n++] = c;
            }
        }
        return n;
    }
}
