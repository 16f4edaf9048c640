using System.Security.Cryptography;
using System.Text;
using Attest.Core.Guards;
using Attest.Guards.Injection;
using Attest.Guards.Pipeline;
using Attest.Guards.Text;

namespace Attest.Guards.Tests;

/// <summary>Each fast path of the round-3 speed work gives exactly what its plain (reference) form gives.</summary>
public class SpeedPathTests
{
    private static readonly string[] Vocabulary =
    [
        "ignore", "previous", "instructions", "reveal", "your", "system", "prompt", "you are", "now", "free", "new", "rules", ":",
        "send", "it", "to", "https://x.io", "evil.com", "hey", "they", "assistant", "call", "the", "tool", "immediately", "without",
        "asking", "no", "restrictions", "pretend", "decode", "and", "follow", "hidden", "instruction", "<|im_start|>", "[inst]", "---",
        "end", "of", "document", "model", "reading", "this", "![a](https://x.io/p?q=data)", "rm -rf", "curl", "x", "|", "sh", "please",
        "summarize", "what", "is", "above", "developer", "mode", "act", "as", "unfiltered", "stop", "being", "helpful", "dear", "ai",
        "Ignore", "IGNORE", "i g n o r e", "b", "c", "d", "1gn0r3", "ｉｇｎｏｒｅ", "Ѕystem", "näive", "\t", "\n", "  ", "AKIA", "sk_live_",
        "ghp_", "xoxb-", "Q~", "SK", "q~", "aws", "heroku", "0199", "+1", "$", "@",
    ];

    private static string RandomText(Random rng, int words)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < words; i++)
        {
            sb.Append(Vocabulary[rng.Next(Vocabulary.Length)]);
            sb.Append(rng.Next(8) switch { 0 => "", 1 => "  ", 2 => ". ", _ => " " });
        }
        return sb.ToString();
    }

    private struct Collect(List<(int, int)> hits) : ITriggerVisitor
    {
        public readonly bool OnMatch(int pattern, int position)
        {
            hits.Add((pattern, position));
            return true;
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TriggerMatcherTableEqualsGeneralSearch(bool ignoreCase)
    {
        var matcher = new TriggerMatcher(["<", "](", "Q~", "sk", "no ", "hey", "ignore", "ignore all", "AKIA", "you are", "x|", "ai"], ignoreCase);
        var rng = new Random(31);
        for (int t = 0; t < 400; t++)
        {
            var text = RandomText(rng, rng.Next(0, 60));
            List<(int, int)> fast = [], plain = [];
            var a = new Collect(fast);
            var b = new Collect(plain);
            matcher.Scan(text, ref a);
            matcher.ScanGeneral(text, ref b);
            fast.Sort();
            plain.Sort();
            Assert.Equal(plain, fast);
        }
    }

    [Fact]
    public void IgnoreCaseIndexOfEqualsFramework()
    {
        var rng = new Random(5);
        string[] needles = ["tel", "Phone", "ssn", "q~", "né le", "K", "ß", "social security", "a"];
        for (int t = 0; t < 500; t++)
        {
            var text = RandomText(rng, rng.Next(0, 30)) + (rng.Next(3) == 0 ? " TELEPHONE Né LE ſsn \u212Aelvin" : "");
            foreach (var n in needles)
                Assert.Equal(text.AsSpan().IndexOf(n, StringComparison.OrdinalIgnoreCase), IgnoreCase.IndexOf(text, n));
        }
    }

    [Fact]
    public void VectorRunChecksEqualScalarOnes()
    {
        var rng = new Random(17);
        const string alphabet = "abcdefXYZ0189+/=: \t\n.-_~é\u00A0\u2003G";
        for (int t = 0; t < 3000; t++)
        {
            int len = rng.Next(0, 300);
            var chars = new char[len];
            // Long stretches from a narrow alphabet so that runs of 16 and 24 occur, also across 64-character blocks.
            int narrow = rng.Next(4, alphabet.Length);
            for (int i = 0; i < len; i++) chars[i] = alphabet[rng.Next(rng.Next(10) == 0 ? alphabet.Length : narrow)];
            var s = new string(chars);
            foreach (int min in new[] { 16, 24 })
            {
                Assert.Equal(CharRuns.HasBase64RunScalar(s, min), CharRuns.HasBase64Run(s, min));
                Assert.Equal(CharRuns.HasHexRunScalar(s, min), CharRuns.HasHexRun(s, min));
            }
        }
    }

    [Fact]
    public void NormalizerFastPathEqualsGeneralPath()
    {
        var rng = new Random(23);
        for (int t = 0; t < 2000; t++)
        {
            var text = RandomText(rng, rng.Next(0, 80));
            if (rng.Next(2) == 0) text = text.Trim();
            Assert.Equal(TextNormalizer.NormalizeGeneral(text), TextNormalizer.Normalize(text));
        }
        var prose = string.Concat(Enumerable.Repeat("Please review the invoice for order 48213, thanks! Call +1 415 555 0199 or mail jane@example.com. ", 40)).Trim();
        Assert.Equal(TextNormalizer.NormalizeGeneral(prose), TextNormalizer.Normalize(prose));
    }

    [Fact]
    public void AnchoredSignaturesEqualFullSearch()
    {
        var rng = new Random(47);
        int hits = 0;
        for (int t = 0; t < 3000; t++)
        {
            var normalized = TextNormalizer.Normalize(RandomText(rng, rng.Next(1, 40)));
            var expected = InjectionSignatures.EvaluateFull(normalized);
            Assert.Equal(expected, InjectionSignatures.Evaluate(normalized));
            if (expected.Score > 0) hits++;
        }
        Assert.True(hits > 300, $"only {hits} texts matched a signature: the comparison would prove little");
    }

    [Fact]
    public void ClassifierScoreEqualsWindowByWindowOnMixedText()
    {
        var model = InjectionModel.Default;
        Assert.NotNull(model);
        var rng = new Random(61);
        foreach (int words in new[] { 150, 260, 700, 1500 })
        {
            var text = TextNormalizer.Normalize(RandomText(rng, words));
            double expected = 0;
            for (int i = 0; i < text.Length; i += InjectionModel.Window / 2)
            {
                int len = Math.Min(InjectionModel.Window, text.Length - i);
                expected = Math.Max(expected, model.Probability(model.Logit(text.AsSpan(i, len))));
                if (i + len >= text.Length) break;
            }
            if (text.Length <= InjectionModel.Window) expected = model.Probability(model.Logit(text));
            Assert.Equal(expected, model.Score(text), 9);
        }
    }

    [Fact]
    public async Task AuditDigestsEqualPlainHashes()
    {
        var key = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        var audit = new RecordingAudit();
        var auditor = new GuardAuditor(audit, key);
        const string text = "mail jane@example.com or jane@example.com, call +1 415 555 0199; née Zoë";
        GuardFinding[] findings =
        [
            new("pii.email", 5, 16, 0.9, "pii.email"), new("pii.email", 25, 16, 0.9, "pii.email"),
            new("pii.phone", 48, 15, 0.9, "pii.phone.e164"), new("pii.person", 69, 3, 0.6, "pii.person.cue"),
        ];
        var verdict = new GuardVerdict { Action = GuardAction.Redact, Text = "", Findings = findings };
        await auditor.AppendAsync(text, TestPipelines.Ctx(GuardDirection.Input), verdict, default);
        var digests = Assert.Single(audit.Records).Digests;
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text))), digests["content"]);
        for (int i = 0; i < findings.Length; i++)
        {
            var plain = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(text.Substring(findings[i].Start, findings[i].Length)));
            Assert.Equal(Convert.ToHexStringLower(plain), digests[$"span.{i}"]);
        }
        Assert.Equal(digests["span.0"], digests["span.1"]);
        Assert.Equal("pii.email,pii.phone,pii.person", audit.Records[0].Attributes["finding_types"]);
    }

    [Fact]
    public void Ipv4PrefilterPassesEveryText_TheRegexMatches()
    {
        // The IPv4 pattern of IpRecognizer: wherever it matches, the prefilter must let the text through.
        var v4 = new System.Text.RegularExpressions.Regex(@"(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?!\.?\d)");
        var rng = new Random(71);
        string[] parts = ["10", "192", "168", "1", "0", "255", "256", ".", ".", "..", " ", "v", "٣", "a.b", "3.14", "\n"];
        int matched = 0;
        for (int t = 0; t < 5000; t++)
        {
            var sb = new StringBuilder();
            for (int k = rng.Next(1, 14); k > 0; k--)
                sb.Append(rng.Next(3) == 0 ? $"{rng.Next(300)}.{rng.Next(300)}.{rng.Next(300)}.{rng.Next(300)}" : parts[rng.Next(parts.Length)]);
            var text = sb.ToString();
            if (!v4.IsMatch(text)) continue;
            matched++;
            Assert.True(Pii.IpRecognizer.MayHaveV4(text), text);
        }
        Assert.True(matched > 100, $"only {matched} texts held an IPv4 address");
        Assert.False(Pii.IpRecognizer.MayHaveV4("Version 2. Next. Done."));
    }

    [Fact]
    public void StreetSuffixPrefilterPassesEveryText_TheRegexMatches()
    {
        var english = new System.Text.RegularExpressions.Regex(@"\b\d{1,5}[A-Za-z]?\s+(?:\p{Lu}[\p{Ll}]+\.?\s+){1,3}(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Terrace|Close|Crescent|Square|Parkway|Pkwy|Highway|Hwy)\b");
        var rng = new Random(83);
        string[] parts = ["221", "12b", " ", "  ", "\t", "Baker", "Main", "Old", "Street", "St", "St.", "Stx", "Ave", "Avenue5", "Dr_", "Pl", "Please", "Way", "Wayne", ",", "."];
        int matched = 0;
        for (int t = 0; t < 5000; t++)
        {
            var sb = new StringBuilder();
            for (int k = rng.Next(1, 10); k > 0; k--) sb.Append(parts[rng.Next(parts.Length)]).Append(rng.Next(3) == 0 ? "" : " ");
            var text = sb.ToString();
            if (!english.IsMatch(text)) continue;
            matched++;
            Assert.True(Pii.AddressRecognizer.MayHaveEnglishSuffix(text), text);
        }
        Assert.True(matched > 100, $"only {matched} texts held an address");
        Assert.False(Pii.AddressRecognizer.MayHaveEnglishSuffix("Please review the Stripe invoice."));
    }
}
