namespace Attest.Guards.Injection;

/// <summary>
/// Hashed features for the injection classifier: character 3–5-grams and word 1–2-grams of normalised
/// text, FNV-1a into <see cref="Dimensions"/> buckets. Shared by training (bench) and inference.
/// </summary>
public static class FeatureHasher
{
    /// <summary>Number of hash buckets (2^18).</summary>
    public const int Dimensions = 1 << 18;

    /// <summary>Calls <paramref name="visit"/> with the bucket of every feature occurrence in <paramref name="normalized"/>; returns how many.</summary>
    public static int Visit<TState>(ReadOnlySpan<char> normalized, ref TState state, Visitor<TState> visit)
    {
        int count = 0;
        for (int n = 3; n <= 5; n++)
        {
            for (int i = 0; i + n <= normalized.Length; i++)
            {
                visit(ref state, CharGramBucket(normalized.Slice(i, n)));
                count++;
            }
        }
        return count + VisitWords(normalized, ref state, visit);
    }

    /// <summary>The word 1- and 2-gram part of <see cref="Visit{TState}"/> (same order); returns how many features.</summary>
    public static int VisitWords<TState>(ReadOnlySpan<char> normalized, ref TState state, Visitor<TState> visit)
    {
        int count = 0;
        uint prev = 0;
        int start = -1;
        for (int i = 0; i <= normalized.Length; i++)
        {
            bool wordChar = i < normalized.Length && char.IsLetterOrDigit(normalized[i]);
            if (wordChar && start < 0) start = i;
            if (!wordChar && start >= 0)
            {
                uint h = Hash(normalized[start..i], 0x9E3779B9u);
                visit(ref state, (int)(h & (Dimensions - 1)));
                if (prev != 0) visit(ref state, (int)((h * 31 + prev) * 2654435761u & (Dimensions - 1)));
                prev = h | 1;
                count += 2;
                start = -1;
            }
        }
        return count;
    }

    /// <summary>Bucket of one character n-gram (n = its length, 3–5).</summary>
    public static int CharGramBucket(ReadOnlySpan<char> gram) => Bucket(gram, (uint)gram.Length);

    public delegate void Visitor<TState>(ref TState state, int bucket);

    private static int Bucket(ReadOnlySpan<char> gram, uint salt) => (int)(Hash(gram, salt) & (Dimensions - 1));

    private static uint Hash(ReadOnlySpan<char> s, uint salt)
    {
        uint h = Seed(salt);
        foreach (var c in s) h = Step(h, c);
        return h;
    }

    /// <summary>FNV-1a start value for a salt (a character n-gram's salt is n).</summary>
    public static uint Seed(uint salt) => 2166136261u ^ salt;

    /// <summary>One FNV-1a step.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static uint Step(uint h, char c) => (h ^ c) * 16777619u;
}
