using System.Text;
using System.Text.RegularExpressions;
using Attest.Core.Guards;
using Attest.Guards.Pii;
using Attest.Guards.Redaction;
using Attest.Core.Time;

namespace Attest.Guards.Tests;

/// <summary>
/// The round-4 speed paths: the digit-run prefilters never reject a text their regex matches, and the
/// single-pass redactor writes exactly what the plain builder form writes.
/// </summary>
public class DigitRunsTests
{
    // Pieces that build every digit shape the patterns look for (groups of 2–6, long runs, leading 0 / 6–9,
    // every separator, '+', parentheses, capitals before digits) and near-misses of each.
    private static readonly string[] Pieces =
    [
        "0", "1", "2", "4", "6", "9", "07", "12", "020", "415", "555", "0161", "4111", "0199", "98765", "48213", "123456",
        "4111111111111111", "021000021", "9876543210", "0301234567", " ", " ", "-", ".", "/", "(", ")", "+", "+4", "+0", "DE", "GB",
        "DE89", "a", "Ab", "x ", "\n", ":", ",",
        "415 555 0199", "(415) 555-2671", "415.555.2671", "020 7946 0958", "07700 900123", "0161 496 0000", "030 12345678",
        "089/1234567", "01 23 45 67 89", "06.12.34.56.78", "98765 43210", "+1 415 555 0199", "123-45-6789", "123 45 6789",
        "4111 1111 1111 1111", "3782 822463 10005", "DE89370400440532013000", "GB82 WEST 1234 5698 7654 32", "SW1A 1AA", "M1 1AE", "EC1A 1BB", "B33 8TH",
    ];

    private const string Mutations = "0123456789 -./()+A";

    private static string RandomText(Random rng)
    {
        var sb = new StringBuilder();
        int n = rng.Next(1, 14);
        for (int i = 0; i < n; i++) sb.Append(Pieces[rng.Next(Pieces.Length)]);
        // Near-misses: change, drop or insert a few characters (a digit more or less, another separator).
        for (int k = rng.Next(4); k > 0 && sb.Length > 0; k--)
        {
            int at = rng.Next(sb.Length);
            char c = Mutations[rng.Next(Mutations.Length)];
            switch (rng.Next(3))
            {
                case 0: sb[at] = c; break;
                case 1: sb.Remove(at, 1); break;
                default: sb.Insert(at, c); break;
            }
        }
        return sb.ToString();
    }

    private static readonly (string Name, Func<DigitRuns, bool> Flag, Regex Regex)[] Prefilters =
    [
        ("card", r => r.Card, CardRecognizer.Candidate()),
        ("ssn", r => r.Ssn, SsnRecognizer.Candidate()),
        ("aba", r => r.Aba, AbaRecognizer.Candidate()),
        ("iban", r => r.Iban, IbanRecognizer.Candidate()),
        ("phone e164", r => r.PhoneE164, PhoneRecognizer.E164()),
        ("phone us", r => r.PhoneUs, PhoneRecognizer.Us()),
        ("phone uk", r => r.PhoneUk, PhoneRecognizer.Uk()),
        ("phone de", r => r.PhoneDe, PhoneRecognizer.De()),
        ("phone fr", r => r.PhoneFr, PhoneRecognizer.Fr()),
        ("phone in", r => r.PhoneIn, PhoneRecognizer.In()),
        ("phone run", r => r.PhoneRun, PhoneRecognizer.Run()),
        ("uk postcode", r => r.Postcode, AddressRecognizer.UkPostcode()),
    ];

    [Fact]
    public void APrefilterNeverRejectsATextItsRegexMatches()
    {
        var rng = new Random(4242);
        var matched = new int[Prefilters.Length];
        var rejected = new int[Prefilters.Length];
        for (int t = 0; t < 40_000; t++)
        {
            var text = RandomText(rng);
            var runs = DigitRuns.Of(text);
            for (int p = 0; p < Prefilters.Length; p++)
            {
                bool match = Prefilters[p].Regex.IsMatch(text);
                if (match) matched[p]++;
                if (!Prefilters[p].Flag(runs))
                {
                    rejected[p]++;
                    Assert.False(match, $"{Prefilters[p].Name} prefilter rejected a matching text: \"{text}\"");
                }
            }
        }
        // The generator reaches every pattern many times, and every prefilter skips many texts (it is not always true).
        for (int p = 0; p < Prefilters.Length; p++)
        {
            Assert.True(matched[p] >= 50, $"{Prefilters[p].Name}: only {matched[p]} matching texts generated");
            Assert.True(rejected[p] >= 1000, $"{Prefilters[p].Name}: only {rejected[p]} texts skipped");
        }
    }

    [Theory]
    [InlineData("call ٤١٥ ٥٥٥ ٠١٩٩ now")]
    [InlineData("Zahl: ０３０ １２３４５６７８")]
    public void NonAsciiTextRunsEveryRegex(string text)
    {
        var runs = DigitRuns.Of(text);
        Assert.True(runs.Card && runs.Ssn && runs.Postcode && runs.Aba && runs.Iban && runs.PhoneE164 && runs.PhoneUs && runs.PhoneUk
            && runs.PhoneDe && runs.PhoneFr && runs.PhoneIn && runs.PhoneRun);
    }

    [Fact]
    public void RedactorEqualsThePlainBuilderFormOnRandomFindings()
    {
        var rng = new Random(7);
        var vault = PseudonymVault.Ephemeral(new ManualTimeProvider(DateTimeOffset.UnixEpoch));
        string[] types = ["pii.email", "pii.phone", "secret.aws", "pii.card", "custom"];
        for (int t = 0; t < 3000; t++)
        {
            var text = string.Concat(Enumerable.Range(0, rng.Next(1, 40)).Select(_ => "ab ab cd "[rng.Next(9)]));
            // Many findings (some beyond the linear numbering limit), overlapping, repeated values, empty and equal spans.
            var findings = new List<GuardFinding>();
            int count = rng.Next(0, t % 10 == 0 ? 80 : 8);
            for (int i = 0; i < count; i++)
            {
                int start = rng.Next(text.Length);
                findings.Add(new GuardFinding(types[rng.Next(types.Length)], start, rng.Next(0, text.Length - start + 1), 0.9, "r"));
            }
            foreach (var mode in new[] { "placeholder", "hash" })
                Assert.Equal(Plain(text, findings, mode, vault), Redactor.Apply(text, findings, mode, vault, null));
        }
    }

    /// <summary>The redactor as it was before round 4 (LINQ order, StringBuilder, dictionary numbering).</summary>
    internal static string Plain(string text, IEnumerable<GuardFinding> redact, string mode, PseudonymVault vault)
    {
        var spans = redact.Where(f => f.Length > 0).OrderBy(f => f.Start).ThenByDescending(f => f.Length).ToList();
        if (spans.Count == 0) return text;
        var sb = new StringBuilder(text.Length);
        var numbering = new Dictionary<string, string>(StringComparer.Ordinal);
        var perLabel = new Dictionary<string, int>(StringComparer.Ordinal);
        int pos = 0;
        foreach (var f in spans)
        {
            if (f.Start < pos) continue;
            sb.Append(text, pos, f.Start - pos);
            var value = text.Substring(f.Start, f.Length);
            var label = f.Type.StartsWith("secret.", StringComparison.Ordinal) ? "SECRET"
                : (f.Type.LastIndexOf('.') is var d and >= 0 ? f.Type[(d + 1)..] : f.Type).ToUpperInvariant();
            string p;
            if (mode == "hash") p = vault.HashTag(label, value);
            else
            {
                var key = label + "\n" + value;
                if (!numbering.TryGetValue(key, out p!))
                {
                    int n = perLabel.GetValueOrDefault(label) + 1;
                    perLabel[label] = n;
                    p = numbering[key] = $"<{label}_{n}>";
                }
            }
            sb.Append(p);
            pos = f.Start + f.Length;
        }
        sb.Append(text, pos, text.Length - pos);
        return sb.ToString();
    }
}
