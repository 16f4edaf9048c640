namespace Attest.Retrieval;

/// <summary>Splits text into lowercase word terms (letters and digits); the same rules for documents and queries.</summary>
public static class Tokenizer
{
    /// <summary>Longest term kept; longer runs are cut (they are rarely useful and bound hashing cost).</summary>
    public const int MaxTermLength = 64;

    /// <summary>Calls <paramref name="onWord"/> with the start and length of every word in <paramref name="text"/>.</summary>
    public static void Words(ReadOnlySpan<char> text, Action<int, int> onWord)
    {
        int i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && !char.IsLetterOrDigit(text[i])) i++;
            int start = i;
            while (i < text.Length && char.IsLetterOrDigit(text[i])) i++;
            if (i > start) onWord(start, i - start);
        }
    }

    /// <summary>Lowercased terms of <paramref name="text"/>, in order.</summary>
    public static List<string> Terms(string text)
    {
        var terms = new List<string>();
        Words(text, (s, l) => terms.Add(Normalize(text.AsSpan(s, Math.Min(l, MaxTermLength)))));
        return terms;
    }

    public static string Normalize(ReadOnlySpan<char> word)
    {
        Span<char> buf = stackalloc char[MaxTermLength];
        int n = word.ToLowerInvariant(buf);
        return new string(buf[..n]);
    }
}
