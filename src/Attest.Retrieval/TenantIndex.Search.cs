using System.Buffers;
using System.Numerics.Tensors;

namespace Attest.Retrieval;

/// <summary>A ranked chunk the caller may see (no text: the service loads and decrypts it).</summary>
public readonly record struct IndexHit(DocumentKey Key, int Ordinal, string Classification, double Score);

/// <summary>The caller and the filters of one search.</summary>
/// <param name="Subjects"><c>user:</c> and <c>group:</c> entries of the caller.</param>
public sealed record SearchFilter(IReadOnlyCollection<string> Subjects, IReadOnlySet<string>? Connectors = null, IReadOnlySet<string>? Classifications = null);

public sealed partial class TenantIndex
{
    /// <summary>
    /// BM25 over the hashed query terms, restricted to chunks whose document the caller may see and that pass the
    /// filters (a per-query bitmap of visible chunks, built from the subject → documents allow index and re-checked
    /// against each document's live ACL, so a forbidden chunk never enters the ranking); with a query vector, blended
    /// with exact cosine similarity over the visible chunks.
    /// </summary>
    public IReadOnlyList<IndexHit> Search(IReadOnlyList<ulong> queryTerms, float[]? queryVector, SearchFilter filter, int want,
        float k1 = 1.2f, float b = 0.75f, double bm25Weight = 0.5)
    {
        _lock.EnterReadLock();
        float[]? scores = null;
        sbyte[]? visible = null;
        ulong[]? bits = null;
        try
        {
            if (_alive == 0 || want <= 0) return [];
            visible = ArrayPool<sbyte>.Shared.Rent(_docs.Count);
            Array.Clear(visible, 0, _docs.Count);
            int words = (_chunkCount + 63) >> 6;
            bits = ArrayPool<ulong>.Shared.Rent(words);
            Array.Clear(bits, 0, words);
            if (MarkVisible(filter, visible, bits) == 0) return [];
            scores = ArrayPool<float>.Shared.Rent(_chunkCount);
            Array.Clear(scores, 0, _chunkCount);
            var touched = new List<int>();
            float avgLen = (float)_totalLen / _alive;
            var scorer = new Bm25(k1, k1 * (1 - b), k1 * b / avgLen, _chunkLen, bits);
            var lists = TermLists(queryTerms, k1);
            // MaxScore: rarest terms first. Once the remaining terms together cannot lift an unseen chunk to the
            // current k-th best score, they only complete the scores of the candidates that can still make the cut.
            float remaining = 0;
            foreach (var (_, _, bound) in lists) remaining += bound;
            int t = 0;
            for (; t < lists.Count; t++)
            {
                if (queryVector is null && t > 0 && touched.Count >= want && remaining < KthScore(touched, scores, want)) break;
                scorer.Scan(lists[t].List, lists[t].Idf, scores, touched);
                remaining -= lists[t].Bound;
            }
            if (t < lists.Count)
            {
                float threshold = KthScore(touched, scores, want);
                var candidates = new List<int>();
                foreach (var c in touched) if (scores[c] + remaining >= threshold) candidates.Add(c);
                for (; t < lists.Count; t++) scorer.Complete(lists[t].List, lists[t].Idf, scores, candidates);
                touched = candidates;
            }
            if (queryVector is null) return TopK(touched, c => scores[c], want);
            return Hybrid(touched, scores, queryVector, bits, want, bm25Weight);
        }
        finally
        {
            if (scores is not null) ArrayPool<float>.Shared.Return(scores);
            if (visible is not null) ArrayPool<sbyte>.Shared.Return(visible);
            if (bits is not null) ArrayPool<ulong>.Shared.Return(bits);
            _lock.ExitReadLock();
        }
    }

    private List<(PostingList List, float Idf, float Bound)> TermLists(IReadOnlyList<ulong> queryTerms, float k1)
    {
        var lists = new List<(PostingList List, float Idf, float Bound)>(queryTerms.Count);
        for (int t = 0; t < queryTerms.Count; t++)
        {
            if (IsRepeat(queryTerms, t) || !_postings.TryGetValue(queryTerms[t], out var list)) continue;
            int df = Math.Min(list.Count, _alive);
            float idf = MathF.Log(1f + (_alive - df + 0.5f) / (df + 0.5f));
            // A term adds less than idf × (k1 + 1) to any chunk; the bound is padded against float rounding.
            lists.Add((list, idf, idf * (k1 + 1) * 1.001f + 1e-6f));
        }
        lists.Sort((x, y) => y.Bound.CompareTo(x.Bound));
        return lists;
    }

    /// <summary>The want-th best score among the touched chunks (0 when there are fewer).</summary>
    private static float KthScore(List<int> touched, float[] scores, int want)
    {
        if (touched.Count < want) return 0;
        var heap = new PriorityQueue<float, float>(want + 1);
        foreach (var c in touched)
        {
            float s = scores[c];
            if (heap.Count < want) heap.Enqueue(s, s);
            else if (s > heap.Peek()) heap.EnqueueDequeue(s, s);
        }
        return heap.Peek();
    }

    private readonly struct Bm25(float k1, float normBase, float normPerLen, int[] chunkLen, ulong[] visible)
    {
        /// <summary>Adds the term's score to every visible chunk of its posting list.</summary>
        public void Scan(PostingList list, float idf, float[] scores, List<int> touched)
        {
            var ids = list.Chunks.AsSpan(0, list.Count);
            var tfs = list.Frequencies.AsSpan(0, list.Count);
            for (int i = 0; i < ids.Length; i++)
            {
                int c = ids[i];
                if ((visible[c >> 6] & (1UL << c)) == 0) continue;
                float s = Score(idf, tfs[i], c);
                if (scores[c] == 0) touched.Add(c);
                scores[c] += s;
            }
        }

        /// <summary>Adds the term's score to the given candidates only (binary search in the chunk-ordered list).</summary>
        public void Complete(PostingList list, float idf, float[] scores, List<int> candidates)
        {
            var ids = list.Chunks.AsSpan(0, list.Count);
            foreach (var c in candidates)
            {
                int i = ids.BinarySearch(c);
                if (i >= 0) scores[c] += Score(idf, list.Frequencies[i], c);
            }
        }

        private float Score(float idf, float tf, int c) => idf * tf * (k1 + 1) / (tf + normBase + normPerLen * chunkLen[c]);
    }

    private static bool IsRepeat(IReadOnlyList<ulong> terms, int index)
    {
        for (int j = 0; j < index; j++) if (terms[j] == terms[index]) return true;
        return false;
    }

    /// <summary>
    /// Marks the documents the caller may see (allowed for one of its subjects, denied for none, passing the filters)
    /// and sets the bits of their chunks. Only documents whose allow list names one of the caller's subjects are
    /// examined; each is re-checked against its current ACL, so stale allow-index entries never widen the view.
    /// </summary>
    private int MarkVisible(SearchFilter filter, sbyte[] visible, ulong[] bits)
    {
        int marked = 0;
        foreach (var subject in filter.Subjects)
        {
            if (!_allowIndex.TryGetValue(subject, out var slots)) continue;
            foreach (var slot in slots)
            {
                if (visible[slot] != 0) continue;
                var doc = _docs[slot];
                bool ok = doc is not null && doc.Allow.Contains(subject) && !Denied(doc, filter.Subjects)
                    && (filter.Connectors is not { Count: > 0 } cs || cs.Contains(doc.Key.Connector))
                    && (filter.Classifications is not { Count: > 0 } cl || cl.Contains(doc.Classification));
                // A stale entry (the ACL no longer names this subject) stays undecided: another subject may allow it.
                if (doc is not null && !ok && doc.Allow.Contains(subject)) visible[slot] = -1;
                if (!ok) continue;
                visible[slot] = 1;
                foreach (var c in doc!.Chunks) bits[c >> 6] |= 1UL << c;
                marked++;
            }
        }
        return marked;
    }

    private static bool Denied(DocEntry doc, IReadOnlyCollection<string> subjects)
    {
        if (doc.Deny.Count == 0) return false;
        foreach (var s in subjects) if (doc.Deny.Contains(s)) return true;
        return false;
    }

    private List<IndexHit> Hybrid(List<int> touched, float[] bm25, float[] queryVector, ulong[] bits, int want, double weight)
    {
        float max = 0;
        foreach (var c in touched) max = Math.Max(max, bm25[c]);
        var candidates = new List<int>();
        var combined = new double[_chunkCount];
        for (int c = 0; c < _chunkCount; c++)
        {
            if ((bits[c >> 6] & (1UL << c)) == 0) continue;
            double lexical = max > 0 ? bm25[c] / max : 0;
            double semantic = 0;
            if (_vectors[c] is { } v && v.Length == queryVector.Length)
                semantic = Math.Max(0, TensorPrimitives.CosineSimilarity(v, queryVector));
            double score = weight * lexical + (1 - weight) * semantic;
            if (score <= 0) continue;
            candidates.Add(c);
            combined[c] = score;
        }
        return TopK(candidates, c => combined[c], want);
    }

    private List<IndexHit> TopK(List<int> candidates, Func<int, double> score, int want)
    {
        var heap = new PriorityQueue<int, (double, int)>(want + 1);
        foreach (var c in candidates)
        {
            // Ties break towards the earlier chunk so results are deterministic.
            var priority = (score(c), -c);
            if (heap.Count == want)
            {
                heap.TryPeek(out _, out var min);
                if (priority.CompareTo(min) <= 0) continue;
                heap.EnqueueDequeue(c, priority);
            }
            else heap.Enqueue(c, priority);
        }
        var hits = new List<IndexHit>(heap.Count);
        while (heap.TryDequeue(out var c, out var p))
        {
            var doc = _docs[_chunkDoc[c]]!;
            hits.Add(new IndexHit(doc.Key, _chunkOrdinal[c], doc.Classification, p.Item1));
        }
        hits.Reverse();
        return hits;
    }
}
