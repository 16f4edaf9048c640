using System.Runtime.InteropServices;

namespace Attest.Server.Providers;

/// <summary>Deterministic hashed bag-of-words embeddings, L2-normalised (default 256 dimensions).</summary>
public static class OfflineEmbeddings
{
    public const int DefaultDimensions = 256;

    public static float[] Embed(string text, int dimensions = DefaultDimensions)
    {
        var v = new float[dimensions];
        foreach (var word in OfflineText.Words(text))
        {
            var h = OfflineText.Hash(word);
            v[(int)(h % (ulong)dimensions)] += (h >> 63) == 0 ? 1f : -1f;
        }
        var norm = MathF.Sqrt(v.Sum(x => x * x));
        if (norm > 0) for (var i = 0; i < v.Length; i++) v[i] /= norm;
        return v;
    }

    /// <summary>The little-endian float32 bytes, base64 — OpenAI's <c>encoding_format: base64</c>.</summary>
    public static string ToBase64(float[] vector) => Convert.ToBase64String(MemoryMarshal.AsBytes(vector.AsSpan()));
}
