using Attest.Bench.Guards.Data;
using Attest.Guards.Injection;

namespace Attest.Bench.Guards;

/// <summary>Trains the injection classifier: logistic regression (AdaGrad SGD, L2) over hashed n-grams, then Platt scaling on a calibration split.</summary>
internal static class Trainer
{
    public static InjectionModel Train(IReadOnlyList<LabelledText> train, int seed = 7, int epochs = 20, double lr = 0.2, double l2 = 1e-5)
    {
        var rnd = new Random(seed);
        var shuffled = train.OrderBy(_ => rnd.Next()).ToList();
        int calibrationCount = shuffled.Count / 5;
        var calibration = shuffled.Take(calibrationCount).ToList();
        var fit = shuffled.Skip(calibrationCount).Select(Featurize).ToList();
        var w = new double[FeatureHasher.Dimensions];
        var g2 = new double[FeatureHasher.Dimensions];
        double bias = 0, gb = 0;
        // Balance classes by weighting.
        double pos = fit.Count(x => x.Label), neg = fit.Count - pos;
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            foreach (var x in fit.OrderBy(_ => rnd.Next()))
            {
                double z = bias;
                foreach (var b in x.Buckets) z += w[b] * x.Value;
                double p = 1 / (1 + Math.Exp(-z));
                double err = (p - (x.Label ? 1 : 0)) * (x.Label ? fit.Count / (2 * pos) : fit.Count / (2 * neg));
                foreach (var b in x.Buckets)
                {
                    double g = err * x.Value + l2 * w[b];
                    g2[b] += g * g;
                    w[b] -= lr * g / (Math.Sqrt(g2[b]) + 1e-8);
                }
                gb += err * err;
                bias -= lr * err / (Math.Sqrt(gb) + 1e-8);
            }
        }
        var raw = new InjectionModel([.. w.Select(v => (float)v)], (float)bias, -1, 0);
        var (a, bb) = Platt(calibration.Select(c => (raw.Logit(TextNormalizer.Normalize(c.Text)), c.Injection)).ToList());
        return new InjectionModel(raw.Weights, raw.Bias, a, bb);
    }

    private sealed record Sample(List<int> Buckets, double Value, bool Label);

    private static Sample Featurize(LabelledText t)
    {
        var buckets = new List<int>();
        int n = FeatureHasher.Visit(TextNormalizer.Normalize(t.Text).AsSpan(), ref buckets, static (ref List<int> l, int b) => l.Add(b));
        return new Sample(buckets, n == 0 ? 0 : 1 / Math.Sqrt(n), t.Injection);
    }

    /// <summary>Fits p = 1/(1+exp(A·z+B)) by gradient descent on the log loss, with Platt's smoothed targets.</summary>
    private static (double A, double B) Platt(List<(double Z, bool Label)> data)
    {
        double pos = data.Count(d => d.Label), neg = data.Count - pos;
        double hi = (pos + 1) / (pos + 2), lo = 1 / (neg + 2);
        double a = -1, b = 0;
        for (int it = 0; it < 3000; it++)
        {
            double ga = 0, gb = 0;
            foreach (var (z, label) in data)
            {
                double p = 1 / (1 + Math.Exp(a * z + b));
                double t = label ? hi : lo;
                // d(logloss)/d(a·z+b) = t - p for this parameterisation.
                ga += (t - p) * z;
                gb += t - p;
            }
            a -= 0.5 * ga / data.Count;
            b -= 0.5 * gb / data.Count;
        }
        return (a, b);
    }
}
