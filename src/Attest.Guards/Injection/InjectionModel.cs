using System.Buffers;
using System.Text;

namespace Attest.Guards.Injection;

/// <summary>
/// Logistic regression over <see cref="FeatureHasher"/> features with Platt calibration
/// (p = 1 / (1 + exp(A·z + B))). Trained by <c>dotnet run --project bench/Attest.Bench.Guards -- train-injection</c>
/// and shipped as the embedded resource <c>injection-model.bin</c>. Immutable and thread-safe.
/// </summary>
public sealed class InjectionModel
{
    private const int Magic = 0x4D495441; // "ATIM"
    /// <summary>Characters per scored window; long documents are scored window by window and the maximum kept.</summary>
    public const int Window = 512;

    public InjectionModel(float[] weights, float bias, double plattA, double plattB)
    {
        if (weights.Length != FeatureHasher.Dimensions) throw new ArgumentException("weights do not match the feature dimensions", nameof(weights));
        Weights = weights;
        Bias = bias;
        PlattA = plattA;
        PlattB = plattB;
    }

    public float[] Weights { get; }
    public float Bias { get; }
    public double PlattA { get; }
    public double PlattB { get; }

    private static readonly Lazy<InjectionModel?> Shipped = new(LoadEmbedded);

    /// <summary>The model shipped in this assembly, or null when the build has none.</summary>
    public static InjectionModel? Default => Shipped.Value;

    /// <summary>Raw decision value z for one (normalised) text.</summary>
    public double Logit(ReadOnlySpan<char> normalized)
    {
        var state = (Weights, Sum: 0.0);
        int n = FeatureHasher.Visit(normalized, ref state, static (ref (float[] W, double Sum) s, int b) => s.Sum += s.W[b]);
        return Bias + (n == 0 ? 0 : state.Sum / Math.Sqrt(n));
    }

    /// <summary>Calibrated probability that a text is an injection.</summary>
    public double Probability(double logit) => 1.0 / (1.0 + Math.Exp(PlattA * logit + PlattB));

    /// <summary>
    /// Highest calibrated probability over the text's windows (step half a window). Each character n-gram is
    /// hashed and weighed once; a window's n-gram sum is the difference of two prefix sums. Word features are
    /// summed per window (a window may cut a word, and the cut word is a feature of that window).
    /// </summary>
    public double Score(string normalized)
    {
        if (normalized.Length <= Window) return Probability(Logit(normalized));
        var text = normalized.AsSpan();
        int len = text.Length;
        double[] rented = ArrayPool<double>.Shared.Rent(3 * (len + 1));
        try
        {
            var prefix = rented.AsSpan(0, 3 * (len + 1));
            var weights = Weights;
            var p3 = prefix[..(len + 1)];
            var p4 = prefix.Slice(len + 1, len + 1);
            var p5 = prefix.Slice(2 * (len + 1), len + 1);
            double s3 = 0, s4 = 0, s5 = 0;
            p3[0] = p4[0] = p5[0] = 0;
            for (int i = 0; i + 3 <= len; i++)
            {
                // FNV-1a of the 3-, 4- and 5-gram at i in one pass (same hashes as FeatureHasher.CharGramBucket).
                uint h3 = FeatureHasher.Step(FeatureHasher.Step(FeatureHasher.Step(FeatureHasher.Seed(3), text[i]), text[i + 1]), text[i + 2]);
                s3 += weights[(int)(h3 & (FeatureHasher.Dimensions - 1))];
                p3[i + 1] = s3;
                if (i + 4 > len) continue;
                uint h4 = FeatureHasher.Step(FeatureHasher.Step(FeatureHasher.Step(FeatureHasher.Step(FeatureHasher.Seed(4), text[i]), text[i + 1]), text[i + 2]), text[i + 3]);
                s4 += weights[(int)(h4 & (FeatureHasher.Dimensions - 1))];
                p4[i + 1] = s4;
                if (i + 5 > len) continue;
                uint h5 = FeatureHasher.Step(FeatureHasher.Step(FeatureHasher.Step(FeatureHasher.Step(FeatureHasher.Step(FeatureHasher.Seed(5), text[i]), text[i + 1]), text[i + 2]), text[i + 3]), text[i + 4]);
                s5 += weights[(int)(h5 & (FeatureHasher.Dimensions - 1))];
                p5[i + 1] = s5;
            }
            double best = 0;
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
                var state = (weights, Sum: 0.0);
                count += FeatureHasher.VisitWords(text.Slice(i, w), ref state, static (ref (float[] W, double Sum) s, int b) => s.Sum += s.W[b]);
                total += state.Sum;
                double logit = Bias + (count == 0 ? 0 : total / Math.Sqrt(count));
                best = Math.Max(best, Probability(logit));
                if (i + w >= len) break;
            }
            return best;
        }
        finally
        {
            ArrayPool<double>.Shared.Return(rented);
        }
    }

    public void Save(Stream stream)
    {
        using var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        w.Write(Magic);
        w.Write(Weights.Length);
        w.Write(Bias);
        w.Write(PlattA);
        w.Write(PlattB);
        foreach (var x in Weights) w.Write((Half)x);
    }

    public static InjectionModel Load(Stream stream)
    {
        using var r = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        if (r.ReadInt32() != Magic) throw new InvalidDataException("not an Attest injection model");
        int dims = r.ReadInt32();
        float bias = r.ReadSingle();
        double a = r.ReadDouble(), b = r.ReadDouble();
        var weights = new float[dims];
        for (int i = 0; i < dims; i++) weights[i] = (float)r.ReadHalf();
        return new InjectionModel(weights, bias, a, b);
    }

    private static InjectionModel? LoadEmbedded()
    {
        using var s = typeof(InjectionModel).Assembly.GetManifestResourceStream("Attest.Guards.injection-model.bin");
        return s is null ? null : Load(s);
    }
}
