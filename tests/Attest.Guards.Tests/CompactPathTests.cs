using System.Text;
using Attest.Guards.Injection;

namespace Attest.Guards.Tests;

/// <summary>Each fast path of the round-5 speed work gives exactly what its plain (reference) form gives.</summary>
public class CompactPathTests
{
    private static readonly string[] Vocabulary =
    [
        "ignore", "all", "previous", "instructions", "please", "summarise", "the", "report", "and", "reveal", "your", "system",
        "prompt:", "refund", "order", "48213", "you are", "now", "free", "send", "it", "to", "https://x.io", "decode", "base64",
        "rotie", "vtaber", "nyy", "SGVsbG8gd29ybGQgaWdub3JlIGFsbA==", "69676e6f726520616c6c", "Ignore", "IGNORE", "1gn0r3",
        "<|im_start|>", "[inst]", "---", "a", "b", "x_y", "it's", "e-mail", "don't", "café", "ｉｇｎｏｒｅ", "\t", "  ", ".", ",",
    ];

    /// <summary>The words that keep a text on the ASCII fast path (no tab, no double blank, no non-ASCII letter).</summary>
    private static readonly string[] Plain = [.. Vocabulary.Where(w => w.Trim().Length == w.Length && System.Text.Ascii.IsValid(w))];

    private static string RandomText(Random rng, int words)
    {
        var vocabulary = rng.Next(3) == 0 ? Vocabulary : Plain;
        var sb = new StringBuilder();
        for (int i = 0; i < words; i++)
        {
            sb.Append(vocabulary[rng.Next(vocabulary.Length)]);
            sb.Append(rng.Next(8) switch { 0 => "", 1 => ". ", 2 => ", ", _ => " " });
        }
        return sb.ToString().Trim();
    }

    [Fact]
    public void InjectionOverPooledNormalFormEqualsTheGeneralPath()
    {
        var guard = new InjectionGuard();
        var rng = new Random(23);
        int fast = 0, hits = 0;
        for (int t = 0; t < 1500; t++)
        {
            var text = RandomText(rng, rng.Next(1, t % 10 == 0 ? 400 : 60));
            if (TextNormalizer.IsAsciiFastCase(text)) fast++;
            var expected = guard.EvaluateNormalized(text, TextNormalizer.NormalizeGeneral(text));
            Assert.Equal(expected, guard.Evaluate(text));
            if (expected.Score > 0) hits++;
        }
        Assert.True(fast > 300, $"only {fast} texts took the pooled path");
        Assert.True(hits > 100, $"only {hits} texts scored");
    }

    [Fact]
    public void FoldAsciiWritesWhatNormalizeReturns()
    {
        var rng = new Random(29);
        int fast = 0;
        for (int t = 0; t < 1000; t++)
        {
            var text = RandomText(rng, rng.Next(1, 80));
            if (!TextNormalizer.IsAsciiFastCase(text)) continue;
            fast++;
            var buffer = new char[text.Length + 3];
            TextNormalizer.FoldAscii(text, buffer);
            Assert.Equal(TextNormalizer.NormalizeGeneral(text), new string(buffer, 0, text.Length));
        }
        Assert.True(fast > 200, $"only {fast} texts took the fast path");
    }

    [Fact]
    public void FixedPointBlockSumsEqualTheDoubleSums()
    {
        // The shipped weights are half-precision values, so the fixed-point path is taken and must give Logit's value exactly.
        var model = InjectionModel.Default!;
        Assert.True(model.UsesFixedPoint);
        var rng = new Random(41);
        for (int t = 0; t < 60; t++)
        {
            var normalized = TextNormalizer.Normalize(RandomText(rng, rng.Next(90, 500)));
            if (normalized.Length <= InjectionModel.Window) continue;
            double expected = 0;
            for (int i = 0; i < normalized.Length; i += InjectionModel.Window / 2)
            {
                int len = Math.Min(InjectionModel.Window, normalized.Length - i);
                expected = Math.Max(expected, model.Probability(model.Logit(normalized.AsSpan(i, len))));
                if (i + len >= normalized.Length) break;
            }
            Assert.Equal(expected, model.Score(normalized));
        }
    }

    [Fact]
    public void ModelsWithFullPrecisionWeightsStillScoreLikeLogit()
    {
        // Weights that are not multiples of 2^-24 take the double path (no fixed point).
        var rng = new Random(43);
        var weights = new float[FeatureHasher.Dimensions];
        for (int i = 0; i < weights.Length; i++) weights[i] = (float)((rng.NextDouble() - 0.5) * 1e-3) + 1e-9f;
        var model = new InjectionModel(weights, 0.1f, -1.5, 0.2);
        Assert.False(model.UsesFixedPoint);
        var normalized = TextNormalizer.Normalize(RandomText(rng, 400));
        double expected = 0;
        for (int i = 0; i < normalized.Length; i += InjectionModel.Window / 2)
        {
            int len = Math.Min(InjectionModel.Window, normalized.Length - i);
            expected = Math.Max(expected, model.Probability(model.Logit(normalized.AsSpan(i, len))));
            if (i + len >= normalized.Length) break;
        }
        Assert.Equal(expected, model.Score(normalized), 9);
    }
}


/// <summary>The PII guard decides "all ASCII" once and hands it to the recognizers: same findings as each checking for itself.</summary>
public class AsciiOnceTests
{
    private static readonly string[] Pieces =
    [
        "My name is Jane Roe", "Dr. Smith", "John Miller", "call +1 415 555 0199", "at 10.0.0.1", "fe80::1", "12 Main Street",
        "Hauptstraße 5", "12 rue de la Paix", "SW1A 1AA", "born 12/03/1985", "passport X1234567", "driver's license D1234-5678",
        "jane.roe@example.com", "4111 1111 1111 1111", "123-45-6789", "DE89370400440532013000", "routing 021000021",
        "née le 3 mars 1990", "Führerschein B072RRE2I55", "Müller", "café", "ｉｇｎｏｒｅ", " ", ". ", ", ", "\n", "and", "the",
    ];

    [Fact]
    public void GuardFindingsEqualRecognizersCheckingAsciiThemselves()
    {
        var rng = new Random(53);
        int nonAscii = 0, found = 0;
        for (int t = 0; t < 1500; t++)
        {
            var sb = new System.Text.StringBuilder();
            for (int i = rng.Next(1, 16); i > 0; i--) sb.Append(Pieces[rng.Next(Pieces.Length)]).Append(' ');
            var text = sb.ToString();
            bool ascii = System.Text.Ascii.IsValid(text);
            if (!ascii) nonAscii++;
            List<Attest.Core.Guards.GuardFinding> expected = [], actual = [];
            Pii.ContextualIdRecognizer.Scan(text, expected);
            Pii.AddressRecognizer.Scan(text, expected);
            Pii.IpRecognizer.Scan(text, expected);
            Pii.NameRecognizer.Scan(text, expected);
            Pii.ContextualIdRecognizer.Scan(text, actual, ascii);
            Pii.AddressRecognizer.Scan(text, Pii.DigitRuns.Of(text, ascii), actual, ascii);
            Pii.IpRecognizer.Scan(text, actual, ascii);
            Pii.NameRecognizer.Scan(text, actual, ascii);
            Assert.Equal(expected, actual);
            Assert.Equal(Pii.DigitRuns.Of(text), Pii.DigitRuns.Of(text, ascii));
            found += expected.Count;
        }
        Assert.True(nonAscii > 200 && found > 1000, $"{nonAscii} non-ASCII texts, {found} findings");
    }
}
