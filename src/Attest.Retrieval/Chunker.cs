namespace Attest.Retrieval;

/// <summary>Cuts text into chunks of <c>size</c> words where consecutive chunks share <c>overlap</c> words; each chunk keeps the original spacing.</summary>
public static class Chunker
{
    public static IReadOnlyList<string> Split(string text, int size, int overlap)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        if (overlap < 0 || overlap >= size) throw new ArgumentOutOfRangeException(nameof(overlap));
        var starts = new List<int>();
        var ends = new List<int>();
        Tokenizer.Words(text, (s, l) => { starts.Add(s); ends.Add(s + l); });
        if (starts.Count == 0) return [];
        var chunks = new List<string>();
        int step = size - overlap;
        for (int first = 0; ; first += step)
        {
            int last = Math.Min(first + size, starts.Count) - 1;
            // Keep punctuation that closes the last word (e.g. a full stop), up to the next space.
            int end = ends[last];
            while (end < text.Length && !char.IsWhiteSpace(text[end]) && (last + 1 >= starts.Count || end < starts[last + 1])) end++;
            chunks.Add(text[starts[first]..end]);
            if (last == starts.Count - 1) break;
        }
        return chunks;
    }
}
