using Attest.Core.Guards;
using Attest.Core.Time;
using Attest.Guards.Pipeline;
using Attest.Guards.Redaction;

namespace Attest.Guards.Tests;

/// <summary>The round-5 allocation cuts: pooled redaction arrays and the engine's per-thread findings list.</summary>
public class PooledPathTests
{
    [Fact]
    public void RedactionFilteredByActionEqualsThePlainFormOfTheRedactedFindings()
    {
        var rng = new Random(59);
        var vault = PseudonymVault.Ephemeral(new ManualTimeProvider(DateTimeOffset.UnixEpoch));
        string[] types = ["pii.email", "pii.phone", "secret.aws", "pii.card", "custom"];
        GuardAction[] kinds = [GuardAction.Allow, GuardAction.Flag, GuardAction.Redact, GuardAction.Redact, GuardAction.Block];
        for (int t = 0; t < 2000; t++)
        {
            var text = string.Concat(Enumerable.Range(0, rng.Next(1, 40)).Select(_ => "ab ab cd "[rng.Next(9)]));
            var findings = new List<GuardFinding>();
            var actions = new List<GuardAction>();
            for (int i = rng.Next(0, t % 10 == 0 ? 80 : 10); i > 0; i--)
            {
                int start = rng.Next(text.Length);
                findings.Add(new GuardFinding(types[rng.Next(types.Length)], start, rng.Next(0, text.Length - start + 1), 0.9, "r"));
                actions.Add(kinds[rng.Next(kinds.Length)]);
            }
            var redacted = findings.Where((_, i) => actions[i] == GuardAction.Redact).ToList();
            foreach (var mode in new[] { "placeholder", "hash" })
            {
                var expected = DigitRunsTests.Plain(text, redacted, mode, vault);
                Assert.Equal(expected, Redactor.Apply(text, findings.ToArray(), actions.ToArray(), mode, vault, null));
                // The public overload over a lazy sequence (neither list nor array) gives the same.
                Assert.Equal(expected, Redactor.Apply(text, redacted.Select(f => f), mode, vault, null));
                Assert.Equal(expected, Redactor.Apply(text, redacted.ToArray(), mode, vault, null));
            }
        }
    }

    [Fact]
    public void DecisionsKeepTheirOwnFindingsAcrossCallsOnOneThread()
    {
        var pipeline = TestPipelines.Default();
        var policy = CompiledGuardPolicy.Default;
        var ctx = TestPipelines.Ctx(GuardDirection.Input);
        var first = pipeline.Engine.Decide("mail jane.roe@example.com or call +1 415 555 0199", ctx, policy);
        var snapshot = first.Findings.ToList();
        var second = pipeline.Engine.Decide("card 4111 1111 1111 1111", ctx, policy);
        var clean = pipeline.Engine.Decide("nothing to see here", ctx, policy);
        Assert.Equal(snapshot, first.Findings);
        Assert.NotSame(first.Findings, second.Findings);
        Assert.Contains(first.Findings, f => f.Type == "pii.email");
        Assert.Contains(second.Findings, f => f.Type == "pii.card");
        Assert.Empty(clean.Findings);
        Assert.Equal(first.Findings.Count, first.Actions.Count);
    }

    [Fact]
    public void ADetectorThatDecidesAgainOnTheSameThreadDoesNotDisturbTheOuterDecision()
    {
        var inner = new GuardEngine([new Pii.PiiGuard()]);
        var nested = new NestedGuard(inner);
        var outer = new GuardEngine([new Pii.PiiGuard(), nested, new Pii.PiiGuard()]);
        var ctx = TestPipelines.Ctx(GuardDirection.Input);
        var d = outer.Decide("mail jane.roe@example.com", ctx, CompiledGuardPolicy.Default);
        Assert.Equal(2, d.Findings.Count(f => f.Type == "pii.email"));
        Assert.Single(d.Findings, f => f.Type == "nested");
        Assert.Equal(1, nested.InnerFindings);
    }

    [Fact]
    public void AFaultedDetectorStillReportsTheFindingsBeforeIt()
    {
        var engine = new GuardEngine([new Pii.PiiGuard(), new ThrowingGuard()]);
        var d = engine.Decide("mail jane.roe@example.com", TestPipelines.Ctx(GuardDirection.Input), CompiledGuardPolicy.Default);
        Assert.True(d.Faulted);
        Assert.Single(d.Findings, f => f.Type == "pii.email");
        var after = engine.Decide("no mail here", TestPipelines.Ctx(GuardDirection.Input), CompiledGuardPolicy.Default);
        Assert.Empty(after.Findings);
    }

    private sealed class NestedGuard(GuardEngine inner) : IContentGuard
    {
        public int InnerFindings { get; private set; }
        public string Name => "nested";

        public void Scan(string text, GuardScan scan, List<GuardFinding> findings)
        {
            InnerFindings = inner.Decide(text, TestPipelines.Ctx(GuardDirection.Input), CompiledGuardPolicy.Default).Findings.Count;
            findings.Add(new GuardFinding("nested", 0, 1, 0.5, "nested.rule"));
        }
    }

    private sealed class ThrowingGuard : IContentGuard
    {
        public string Name => "throws";
        public void Scan(string text, GuardScan scan, List<GuardFinding> findings) => throw new InvalidOperationException("detector failure");
    }
}
