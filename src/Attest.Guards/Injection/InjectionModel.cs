using System.Text;

namespace Attest.Guards.Injection;

/// <summary>
/// Logistic regression over <see cref="FeatureHasher"/> features with Platt calibration
/// (p = 1 / (1 + exp(A·z + B))). Trained by <c>dotnet run --project bench/Attest.Bench.Guards -- train-injection</c>
/// and shipped as the embedded resource <c>injection-model.bin</c>. Immutable and thread-safe.
/// </summary>
public sealed partial class InjectionModel
{
    private const int Magic = 0x4D495441; // "ATIM"
    /// <summary>Characters per scored window; long documents are scored window by window and the maximum kept.</summary>
    public const int Window = 512;

    public InjectionModel(float[] weights, float bias, double plattA, double plattB)
    {
        if (weights.Length != FeatureHasher.Dimensions) throw new ArgumentException("weights do not match the feature dimensions", nameof(weights));
        Weights = weights;
        _fixedWeights = FixedPoint(weights);
        Bias = bias;
        PlattA = plattA;
        PlattB = plattB;
    }

    /// <summary>The weight per hashed bucket; not to be changed after construction (scoring reads a fixed-point copy).</summary>
    public float[] Weights { get; }

    /// <summary>
    /// Each weight times 2^24 as an integer, when every weight is a multiple of 2^-24 below 64 in magnitude (true of
    /// every model saved as half precision, the shipped one included); else null. Sums of such weights in double are
    /// exact in any order (they need far fewer than 53 bits), so integer sums converted once equal them bit for bit.
    /// </summary>
    private readonly int[]? _fixedWeights;

    /// <summary>Whether scoring sums the weights in fixed point (tests).</summary>
    internal bool UsesFixedPoint => _fixedWeights is not null;

    /// <summary>2^24: the fixed-point scale of <see cref="_fixedWeights"/>.</summary>
    private const double FixedScale = 16777216.0;

    private static int[]? FixedPoint(float[] weights)
    {
        var result = new int[weights.Length];
        for (int i = 0; i < weights.Length; i++)
        {
            double scaled = weights[i] * FixedScale;
            if (!(Math.Abs(scaled) < (1 << 30)) || scaled != Math.Floor(scaled)) return null;
            result[i] = (int)scaled;
        }
        return result;
    }

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
