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
    /// BM25 over the hashed query terms, restricted as it accumulates to chunks whose document the caller may see and
    /// that pass the filters; with a query vector, blended with exact cosine similarity over the visible chunks.
    /// </summary>
    public IReadOnlyList<IndexHit> Search(IReadOnlyList<ulong> queryTerms, float[]? queryVector, SearchFilter filter, int want,
        float k1 = 1.2f, float b = 0.75f, double bm25Weight = 0.5)
    {
        _lock.EnterReadLock();
        float[]? scores = null;
        sbyte[]? visible = null;
        try
        {
            if (_alive == 0 || want <= 0) return [];
            scores = ArrayPool<float>.Shared.Rent(_chunkCount);
            Array.Clear(scores, 0, _chunkCount);
            visible = ArrayPool<sbyte>.Shared.Rent(_docs.Count);
            Array.Clear(visible, 0, _docs.Count);
            var touched = new List<int>();
            float avgLen = (float)_totalLen / _alive;
            foreach (var term in queryTerms.Distinct())
            {
                if (!_postings.TryGetValue(term, out var list)) continue;
                int df = Math.Min(list.Count, _alive);
                float idf = MathF.Log(1f + (_alive - df + 0.5f) / (df + 0.5f));
                for (int i = 0; i < list.Count; i++)
                {
                    int c = list.Chunks[i];
                    int doc = _chunkDoc[c];
                    if (doc < 0 || !Visible(doc, filter, visible)) continue;
                    float tf = list.Frequencies[i];
                    float s = idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * _chunkLen[c] / avgLen));
                    if (scores[c] == 0) touched.Add(c);
                    scores[c] += s;
                }
            }
            if (queryVector is null) return TopK(touched, c => scores[c], want);
            return Hybrid(touched, scores, queryVector, filter, visible, want, bm25Weight);
        }
        finally
        {
            if (scores is not null) ArrayPool<float>.Shared.Return(scores);
            if (visible is not null) ArrayPool<sbyte>.Shared.Return(visible);
            _lock.ExitReadLock();
        }
    }

    private List<IndexHit> Hybrid(List<int> touched, float[] bm25, float[] queryVector, SearchFilter filter, sbyte[] visible, int want, double weight)
    {
        float max = 0;
        foreach (var c in touched) max = Math.Max(max, bm25[c]);
        var candidates = new List<int>();
        var combined = new Dictionary<int, double>();
        for (int c = 0; c < _chunkCount; c++)
        {
            int doc = _chunkDoc[c];
            if (doc < 0) continue;
            double lexical = max > 0 ? bm25[c] / max : 0;
            double semantic = 0;
            if (_vectors[c] is { } v && v.Length == queryVector.Length && Visible(doc, filter, visible))
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
            heap.Enqueue(c, (score(c), -c));
            if (heap.Count > want) heap.Dequeue();
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

    private bool Visible(int docSlot, SearchFilter filter, sbyte[] cache)
    {
        var state = cache[docSlot];
        if (state != 0) return state > 0;
        var doc = _docs[docSlot];
        bool ok = doc is not null && Permits(doc, filter.Subjects)
            && (filter.Connectors is not { Count: > 0 } cs || cs.Contains(doc.Key.Connector))
            && (filter.Classifications is not { Count: > 0 } cl || cl.Contains(doc.Classification));
        cache[docSlot] = ok ? (sbyte)1 : (sbyte)-1;
        return ok;
    }

    private static bool Permits(DocEntry doc, IReadOnlyCollection<string> subjects)
    {
        bool allowed = false;
        foreach (var s in subjects)
        {
            if (doc.Deny.Contains(s)) return false;
            allowed |= doc.Allow.Contains(s);
        }
        return allowed;
    }
}
