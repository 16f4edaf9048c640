using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Attest.Guards.Injection;

public sealed partial class InjectionModel
{
    /// <summary>
    /// Highest calibrated probability over the text's windows (step half a window), equal (to rounding, 1e-9) to scoring
    /// each window with <see cref="Logit"/> (the tests check it). Each character n-gram is hashed once (eight positions at
    /// a time where AVX2 is available) and weighed once; windows start on half-window blocks, so a window's n-gram sum is
    /// two block sums less the few terms past its end. Words are found and hashed once; a window re-hashes only the
    /// words its edges cut (a cut word is a feature of that window).
    /// </summary>
    public double Score(string normalized) => Score(normalized.AsSpan());

    /// <summary><see cref="Score(string)"/> over normalised text held in a buffer.</summary>
    public double Score(ReadOnlySpan<char> normalized)
    {
        if (normalized.Length <= Window) return Probability(Logit(normalized));
        var text = normalized;
        int len = text.Length;
        int blocks = len / Block + 1;
        int maxWords = len / 2 + 2;
        double[] sums = ArrayPool<double>.Shared.Rent(3 * blocks + 2 * (maxWords + 1));
        int[] ints = ArrayPool<int>.Shared.Rent(3 * len + 3 * (len / 2 + 2));
        try
        {
            var buckets = ints.AsSpan(0, 3 * len);
            HashGrams(text, buckets);
            var blockSums = sums.AsSpan(0, 3 * blocks);
            BlockSums(len, buckets, blockSums);
            var words = ints.AsSpan(3 * len, 3 * (len / 2 + 2));
            int wordCount = FindWords(text, words);
            var wordPrefix = sums.AsSpan(3 * blocks, wordCount + 1);
            var bigrams = sums.AsSpan(3 * blocks + maxWords + 1, wordCount);
            WordSums(words, wordCount, wordPrefix, bigrams);
            double best = 0;
            int firstWord = 0, lastWord = -1;
            for (int i = 0; i < len; i += Block)
            {
                int w = Math.Min(Window, len - i);
                double total = 0;
                int count = 0;
                for (int n = 3; n <= 5; n++)
                {
                    if (w < n) continue;
                    total += RangeSum(buckets.Slice((n - 3) * len, len - n + 1), blockSums.Slice((n - 3) * blocks, blocks), i, i + w - n + 1);
                    count += w - n + 1;
                }
                while (firstWord < wordCount && words[3 * firstWord + 1] <= i) firstWord++;
                while (lastWord + 1 < wordCount && words[3 * (lastWord + 1)] < i + w) lastWord++;
                double wordSum = 0;
                count += WindowWords(text, words, wordPrefix, bigrams, firstWord, lastWord, i, i + w, ref wordSum);
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

    /// <summary>Windows start every <see cref="Block"/> characters (half a window); n-gram weights are summed per block.</summary>
    private const int Block = Window / 2;

    /// <summary>Sum of the weights of terms [from, to) (from block-aligned): whole blocks, less the few terms past <paramref name="to"/> in the last one.</summary>
    private double RangeSum(ReadOnlySpan<int> buckets, ReadOnlySpan<double> blockSums, int from, int to)
    {
        var weights = Weights;
        double total = 0;
        int k = from / Block;
        for (; k * Block < to; k++) total += blockSums[k];
        for (int j = to; j < Math.Min(k * Block, buckets.Length); j++) total -= weights[buckets[j]];
        return total;
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

    /// <summary>Per n and per block, the sum of the n-gram weights whose position lies in the block (four running sums, so the loads overlap).</summary>
    private void BlockSums(int len, ReadOnlySpan<int> buckets, Span<double> blockSums)
    {
        if (_fixedWeights is { } fixedWeights)
        {
            FixedBlockSums(fixedWeights, len, buckets, blockSums);
            return;
        }
        var weights = Weights;
        int blocks = blockSums.Length / 3;
        for (int n = 3; n <= 5; n++)
        {
            var b = buckets.Slice((n - 3) * len, Math.Max(0, len - n + 1));
            var sums = blockSums.Slice((n - 3) * blocks, blocks);
            for (int k = 0; k < blocks; k++)
            {
                int from = k * Block, to = Math.Min(from + Block, b.Length);
                double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
                int j = from;
                for (; j + 4 <= to; j += 4)
                {
                    s0 += weights[b[j]];
                    s1 += weights[b[j + 1]];
                    s2 += weights[b[j + 2]];
                    s3 += weights[b[j + 3]];
                }
                for (; j < to; j++) s0 += weights[b[j]];
                sums[k] = (s0 + s1) + (s2 + s3);
            }
        }
    }

    /// <summary>
    /// <see cref="BlockSums"/> over the fixed-point weights: integer sums (no rounding, so equal to the double sums of
    /// the same weights) without bounds checks (every bucket is masked below <see cref="FeatureHasher.Dimensions"/>,
    /// the table's length, checked in the constructor).
    /// </summary>
    private static void FixedBlockSums(int[] fixedWeights, int len, ReadOnlySpan<int> buckets, Span<double> blockSums)
    {
        ref int table = ref MemoryMarshal.GetArrayDataReference(fixedWeights);
        int blocks = blockSums.Length / 3;
        for (int n = 3; n <= 5; n++)
        {
            var b = buckets.Slice((n - 3) * len, Math.Max(0, len - n + 1));
            ref int bucket = ref MemoryMarshal.GetReference(b);
            var sums = blockSums.Slice((n - 3) * blocks, blocks);
            for (int k = 0; k < blocks; k++)
            {
                int from = k * Block, to = Math.Min(from + Block, b.Length);
                long s0 = 0, s1 = 0;
                int j = from;
                for (; j + 2 <= to; j += 2)
                {
                    s0 += Unsafe.Add(ref table, (uint)Unsafe.Add(ref bucket, j) & (FeatureHasher.Dimensions - 1));
                    s1 += Unsafe.Add(ref table, (uint)Unsafe.Add(ref bucket, j + 1) & (FeatureHasher.Dimensions - 1));
                }
                if (j < to) s0 += Unsafe.Add(ref table, (uint)Unsafe.Add(ref bucket, j) & (FeatureHasher.Dimensions - 1));
                sums[k] = (s0 + s1) / FixedScale;
            }
        }
    }

    /// <summary>Words (maximal letter-or-digit runs) as (start, end, hash) triples, hashed while found; returns how many.</summary>
    private static int FindWords(ReadOnlySpan<char> text, Span<int> words)
    {
        int n = 0, i = 0, len = text.Length;
        while (i < len)
        {
            while (i < len && !IsWordChar(text[i])) i++;
            if (i >= len) break;
            int start = i;
            uint h = FeatureHasher.Seed(0x9E3779B9u);
            char c;
            while (i < len && IsWordChar(c = text[i]))
            {
                h = FeatureHasher.Step(h, c);
                i++;
            }
            words[3 * n] = start;
            words[3 * n + 1] = i;
            words[3 * n + 2] = (int)h;
            n++;
        }
        return n;
    }

    private static int BigramBucket(uint h, uint prev) => (int)((h * 31 + prev) * 2654435761u & (FeatureHasher.Dimensions - 1));

    private static int WordBucket(uint h) => (int)(h & (FeatureHasher.Dimensions - 1));

    /// <summary>
    /// Per word k: <paramref name="bigrams"/>[k] the weight of its 2-gram with word k-1 (0 for the first), and
    /// <paramref name="prefix"/>[k] the sum of the 1- and 2-gram weights of the words before k.
    /// </summary>
    private void WordSums(ReadOnlySpan<int> words, int count, Span<double> prefix, Span<double> bigrams)
    {
        var weights = Weights;
        double total = 0;
        for (int k = 0; k < count; k++)
        {
            prefix[k] = total;
            uint h = (uint)words[3 * k + 2];
            bigrams[k] = k == 0 ? 0 : weights[BigramBucket(h, (uint)words[3 * k - 1] | 1)];
            total += weights[WordBucket(h)] + bigrams[k];
        }
        prefix[count] = total;
    }

    /// <summary>
    /// Adds the word 1- and 2-gram weights of window [from, to) (words <paramref name="first"/>..<paramref name="last"/>)
    /// to <paramref name="sum"/>; returns how many features (as <see cref="FeatureHasher.VisitWords"/>). The whole words
    /// inside come from the prefix sums; the first word has no 2-gram in the window, and a word the window's edge cuts
    /// is hashed again as cut.
    /// </summary>
    private int WindowWords(ReadOnlySpan<char> text, ReadOnlySpan<int> words, ReadOnlySpan<double> prefix, ReadOnlySpan<double> bigrams,
        int first, int last, int from, int to, ref double sum)
    {
        if (first > last) return 0;
        var weights = Weights;
        int sf = words[3 * first], ef = words[3 * first + 1];
        bool firstCut = sf < from || ef > to;
        uint hf = firstCut ? WordHash(text[Math.Max(sf, from)..Math.Min(ef, to)]) : (uint)words[3 * first + 2];
        sum += weights[WordBucket(hf)];
        if (last == first) return 2;
        if (first + 1 < last)
        {
            // Whole words first+1 .. last-1 with their 2-grams; word first+1's 2-gram is with the (maybe cut) first word.
            sum += prefix[last] - prefix[first + 1];
            if (firstCut) sum += weights[BigramBucket((uint)words[3 * (first + 1) + 2], hf | 1)] - bigrams[first + 1];
        }
        uint prev = last - 1 == first ? hf | 1 : (uint)words[3 * (last - 1) + 2] | 1;
        int sl = words[3 * last], el = words[3 * last + 1];
        uint hl = el > to ? WordHash(text[sl..to]) : (uint)words[3 * last + 2];
        sum += weights[WordBucket(hl)] + weights[BigramBucket(hl, prev)];
        return 2 * (last - first + 1);
    }

    private static ReadOnlySpan<byte> AsciiWord => [
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0,
        0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0,
        0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0];

    /// <summary><see cref="char.IsLetterOrDigit(char)"/>, by table for ASCII.</summary>
    private static bool IsWordChar(char c) => c < 128 ? AsciiWord[c] != 0 : char.IsLetterOrDigit(c);

    /// <summary>FNV-1a of a word with the word salt (as <see cref="FeatureHasher.VisitWords"/>).</summary>
    private static uint WordHash(ReadOnlySpan<char> word)
    {
        uint h = FeatureHasher.Seed(0x9E3779B9u);
        foreach (var c in word) h = FeatureHasher.Step(h, c);
        return h;
    }
}
