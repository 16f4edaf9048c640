using System.Numerics.Tensors;

namespace Attest.Retrieval;

/// <summary>Turns texts into vectors for hybrid retrieval. Implementations are deterministic for a given model and thread-safe.</summary>
public interface IEmbeddingProvider
{
    /// <summary>Names the model and version, so vectors from different models are never compared.</summary>
    string ModelId { get; }
    int Dimensions { get; }
    ValueTask<IReadOnlyList<float[]>> EmbedAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken = default);
}

/// <summary>
/// The offline default: a signed hashed bag of words (feature hashing of terms and adjacent-term pairs into
/// <see cref="Dimensions"/> buckets, L2-normalised). No model download; similar wording gives similar vectors.
/// </summary>
public sealed class HashedBagOfWordsEmbedder(int dimensions = 256) : IEmbeddingProvider
{
    public string ModelId => $"attest-hashed-bow-{Dimensions}-v1";
    public int Dimensions { get; } = dimensions;

    public ValueTask<IReadOnlyList<float[]>> EmbedAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken = default)
    {
        var result = new float[texts.Count][];
        for (int i = 0; i < texts.Count; i++) result[i] = Embed(texts[i]);
        return ValueTask.FromResult<IReadOnlyList<float[]>>(result);
    }

    public float[] Embed(string text)
    {
        var v = new float[Dimensions];
        string? previous = null;
        foreach (var term in Tokenizer.Terms(text))
        {
            Add(v, term, 1f);
            if (previous is not null) Add(v, previous + " " + term, 0.5f);
            previous = term;
        }
        var norm = TensorPrimitives.Norm(v);
        if (norm > 0) TensorPrimitives.Divide(v, norm, v);
        return v;
    }

    private void Add(float[] v, string feature, float weight)
    {
        // FNV-1a over UTF-16 code units, then a final mix: stable across runs and platforms.
        ulong h = 14695981039346656037UL;
        foreach (var c in feature) h = (h ^ c) * 1099511628211UL;
        h ^= h >> 33;
        h *= 0xff51afd7ed558ccdUL;
        h ^= h >> 33;
        v[(int)(h % (ulong)Dimensions)] += (h >> 63) == 0 ? weight : -weight;
    }
}
