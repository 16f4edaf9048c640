using System.Buffers;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Attest.Guards.Injection;

public sealed partial class InjectionModel
{
    /// <summary>
    /// Highest calibrated probability over the text's windows (step half a window), equal to scoring each window with
    /// <see cref="Logit"/> (the tests check it). Each character n-gram is hashed once (eight positions at a time where
    /// AVX2 is available) and weighed once; a window's n-gram sum is the difference of two prefix sums, taken in the
    /// same order as the window-by-window sum. Words are found and hashed once; a window re-hashes only the words its
    /// edges cut (a cut word is a feature of that window).
    /// </summary>
    public double Score(string normalized)
    {
        if (normalized.Length <= Window) return Probability(Logit(normalized));
        var text = normalized.AsSpan();
        int len = text.Length;
        double[] sums = ArrayPool<double>.Shared.Rent(3 * (len + 1));
        int[] ints = ArrayPool<int>.Shared.Rent(3 * len + 3 * (len / 2 + 2));
        try
        {
            var buckets = ints.AsSpan(0, 3 * len);
            HashGrams(text, buckets);
            var prefix = sums.AsSpan(0, 3 * (len + 1));
            PrefixSums(len, buckets, prefix);
            var words = ints.AsSpan(3 * len, 3 * (len / 2 + 2));
            int wordCount = FindWords(text, words);
            double best = 0;
            int firstWord = 0;
            for (int i = 0; i < len; i += Window / 2)
            {
                int w = Math.Min(Window, len - i);
                double total = 0;
                int count = 0;
                for (int n = 3; n <= 5; n++)
                {
                    if (w < n) continue;
                    var p = prefix.Slice((n - 3) * (len + 1), len + 1);
                    total += p[i + w - n + 1] - p[i];
                    count += w - n + 1;
                }
                while (firstWord < wordCount && words[3 * firstWord + 1] <= i) firstWord++;
                double wordSum = 0;
                count += WindowWords(text, words, firstWord, wordCount, i, i + w, ref wordSum);
                total += wordSum;
                double logit = Bias + (count == 0 ? 0 : total / Math.Sqrt(count));
                best = Math.Max(best, Probability(logit));
                if (i + w >= len) break;
            }
            return best;
        }
        finally
        {
            ArrayPool<double>.Shared.Return(sums);
            ArrayPool<int>.Shared.Return(ints);
        }
    }

    /// <summary>Bucket of the 3-, 4- and 5-gram at each position (thirds of <paramref name="buckets"/>), as <see cref="FeatureHasher.CharGramBucket"/>.</summary>
    private static void HashGrams(ReadOnlySpan<char> text, Span<int> buckets)
    {
        int len = text.Length;
        var b3 = buckets[..len];
        var b4 = buckets.Slice(len, len);
        var b5 = buckets.Slice(2 * len, len);
        int i = 0;
        if (Avx2.IsSupported)
        {
            var chars = MemoryMarshal.Cast<char, ushort>(text);
            var prime = Vector256.Create(16777619u);
            var mask = Vector256.Create((uint)(FeatureHasher.Dimensions - 1));
            for (; i + 12 <= len; i += 8)
            {
                var c0 = Widen(chars, i);
                var c1 = Widen(chars, i + 1);
                var c2 = Widen(chars, i + 2);
                var c3 = Widen(chars, i + 3);
                var c4 = Widen(chars, i + 4);
                var h3 = (((((Vector256.Create(FeatureHasher.Seed(3)) ^ c0) * prime) ^ c1) * prime ^ c2) * prime) & mask;
                var h4 = ((((((Vector256.Create(FeatureHasher.Seed(4)) ^ c0) * prime) ^ c1) * prime ^ c2) * prime ^ c3) * prime) & mask;
                var h5 = (((((((Vector256.Create(FeatureHasher.Seed(5)) ^ c0) * prime) ^ c1) * prime ^ c2) * prime ^ c3) * prime ^ c4) * prime) & mask;
                h3.AsInt32().CopyTo(b3.Slice(i, 8));
                h4.AsInt32().CopyTo(b4.Slice(i, 8));
                h5.AsInt32().CopyTo(b5.Slice(i, 8));
            }
        }
        for (; i + 3 <= len; i++)
        {
            b3[i] = FeatureHasher.CharGramBucket(text.Slice(i, 3));
            if (i + 4 <= len) b4[i] = FeatureHasher.CharGramBucket(text.Slice(i, 4));
            if (i + 5 <= len) b5[i] = FeatureHasher.CharGramBucket(text.Slice(i, 5));
        }
    }

    private static Vector256<uint> Widen(ReadOnlySpan<ushort> chars, int at) =>
        Avx2.ConvertToVector256Int32(Vector128.Create(chars.Slice(at, 8))).AsUInt32();

    /// <summary>Running sums of the n-gram weights (p[k] = sum of the first k), in position order.</summary>
    private void PrefixSums(int len, ReadOnlySpan<int> buckets, Span<double> prefix)
    {
        var weights = Weights;
        var b3 = buckets[..len];
        var b4 = buckets.Slice(len, len);
        var b5 = buckets.Slice(2 * len, len);
        var p3 = prefix[..(len + 1)];
        var p4 = prefix.Slice(len + 1, len + 1);
        var p5 = prefix.Slice(2 * (len + 1), len + 1);
        double s3 = 0, s4 = 0, s5 = 0;
        p3[0] = p4[0] = p5[0] = 0;
        for (int i = 0; i + 3 <= len; i++)
        {
            s3 += weights[b3[i]];
            p3[i + 1] = s3;
            if (i + 4 > len) continue;
            s4 += weights[b4[i]];
            p4[i + 1] = s4;
            if (i + 5 > len) continue;
            s5 += weights[b5[i]];
            p5[i + 1] = s5;
        }
    }

    /// <summary>Words (maximal letter-or-digit runs) as (start, end, hash) triples; returns how many.</summary>
    private static int FindWords(ReadOnlySpan<char> text, Span<int> words)
    {
        int n = 0, start = -1;
        for (int i = 0; i <= text.Length; i++)
        {
            bool wordChar = i < text.Length && IsWordChar(text[i]);
            if (wordChar && start < 0) start = i;
            if (!wordChar && start >= 0)
            {
                words[3 * n] = start;
                words[3 * n + 1] = i;
                words[3 * n + 2] = (int)WordHash(text[start..i]);
                n++;
                start = -1;
            }
        }
        return n;
    }

    /// <summary>Adds the word 1- and 2-gram weights of window [from, to) to <paramref name="sum"/> in <see cref="FeatureHasher.VisitWords"/> order; returns how many features.</summary>
    private int WindowWords(ReadOnlySpan<char> text, ReadOnlySpan<int> words, int first, int count, int from, int to, ref double sum)
    {
        var weights = Weights;
        int features = 0;
        uint prev = 0;
        for (int k = first; k < count; k++)
        {
            int start = words[3 * k], end = words[3 * k + 1];
            if (start >= to) break;
            uint h = start >= from && end <= to ? (uint)words[3 * k + 2] : WordHash(text[Math.Max(start, from)..Math.Min(end, to)]);
            sum += weights[(int)(h & (FeatureHasher.Dimensions - 1))];
            if (prev != 0) sum += weights[(int)((h * 31 + prev) * 2654435761u & (FeatureHasher.Dimensions - 1))];
            prev = h | 1;
            features += 2;
        }
        return features;
    }

    private static bool IsWordChar(char c) => c < 128 ? char.IsAsciiLetterOrDigit(c) : char.IsLetterOrDigit(c);

    /// <summary>FNV-1a of a word with the word salt (as <see cref="FeatureHasher.VisitWords"/>).</summary>
    private static uint WordHash(ReadOnlySpan<char> word)
    {
        uint h = FeatureHasher.Seed(0x9E3779B9u);
        foreach (var c in word) h = FeatureHasher.Step(h, c);
        return h;
    }
}
