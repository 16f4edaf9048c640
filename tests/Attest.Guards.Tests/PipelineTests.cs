using Attest.Core.Audit;
using Attest.Core.Config;
using Attest.Core.Guards;
using Attest.Core.Time;
using Attest.Guards.Canary;
using Attest.Guards.Pipeline;
using Attest.Guards.Redaction;

namespace Attest.Guards.Tests;

public class PipelineTests
{
    private const string Pseudo = """
        version: 1
        tenants:
          - id: acme
            canaries: [ATTEST-CANARY-test12345678]
        guards:
          - id: acme-guards
            tenants: [acme]
            redactionMode: pseudonymize
            denyKeywords: [project-nightingale]
            denyPatterns: ["codename\\s+\\w+"]
            allowPatterns: ["support@acme\\.example"]
        """;

    [Fact]
    public async Task DefaultsRedactInputPiiAndBlockSecrets()
    {
        var p = TestPipelines.Default();
        var v = await p.EvaluateAsync("mail bob@example.com and bob@example.com, or ann@example.org", TestPipelines.Ctx(GuardDirection.Input));
        Assert.Equal(GuardAction.Redact, v.Action);
        Assert.Equal("mail <EMAIL_1> and <EMAIL_1>, or <EMAIL_2>", v.Text);
        var s = await p.EvaluateAsync("use AKIAQ3EGRZ7PLM4KXW2D", TestPipelines.Ctx(GuardDirection.Input));
        Assert.Equal(GuardAction.Block, s.Action);
        Assert.Equal("", s.Text);
        Assert.Contains("secret.aws_access_key", s.Reasons);
    }

    [Fact]
    public async Task OutputPiiIsFlaggedNotChanged()
    {
        var v = await TestPipelines.Default().EvaluateAsync("Contact jane@example.com", TestPipelines.Ctx(GuardDirection.Output));
        Assert.Equal(GuardAction.Flag, v.Action);
        Assert.Equal("Contact jane@example.com", v.Text);
    }

    [Fact]
    public async Task PolicyOverridesPerDirectionAndType()
    {
        var p = TestPipelines.Default("""
            version: 1
            guards:
              - id: g
                actions:
                  input: { pii: flag, pii.email: block }
            """);
        Assert.Equal(GuardAction.Block, (await p.EvaluateAsync("a@b.example.com", TestPipelines.Ctx(GuardDirection.Input))).Action);
        Assert.Equal(GuardAction.Flag, (await p.EvaluateAsync("call +1 415 555 2671", TestPipelines.Ctx(GuardDirection.Input))).Action);
    }

    [Fact]
    public async Task HashModeIsStableAndHidesTheValue()
    {
        var p = TestPipelines.Default("version: 1\nguards:\n  - id: h\n    redactionMode: hash\n");
        var a = await p.EvaluateAsync("x jane@example.com", TestPipelines.Ctx(GuardDirection.Input));
        var b = await p.EvaluateAsync("y jane@example.com", TestPipelines.Ctx(GuardDirection.Input));
        Assert.StartsWith("x <EMAIL_", a.Text);
        Assert.Equal(a.Text[2..], b.Text[2..]);
        Assert.DoesNotContain("jane", a.Text);
    }

    [Fact]
    public async Task PseudonymsAreConsistentAndRestoredOnlyForTheCaller()
    {
        var p = TestPipelines.Default(Pseudo);
        var ctx = TestPipelines.Ctx(GuardDirection.Input, conversation: "c1");
        var first = await p.EvaluateAsync("I am reachable at jane@example.com", ctx);
        var second = await p.EvaluateAsync("again: jane@example.com and tom@example.com", ctx);
        Assert.Equal("I am reachable at <EMAIL_1>", first.Text);
        Assert.Equal("again: <EMAIL_1> and <EMAIL_2>", second.Text);
        Assert.Equal("write to jane@example.com and tom@example.com", p.Restore("write to <EMAIL_1> and <EMAIL_2>", ctx));
        Assert.Equal("write to <EMAIL_1>", p.Restore("write to <EMAIL_1>", TestPipelines.Ctx(GuardDirection.Output, conversation: "c1", user: "mallory")));
        Assert.Equal("write to <EMAIL_1>", p.Restore("write to <EMAIL_1>", TestPipelines.Ctx(GuardDirection.Output, conversation: "c2")));
    }

    [Fact]
    public async Task PseudonymsExpireAfterTheirTtl()
    {
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var vault = new PseudonymVault(new byte[32], new InMemoryPseudonymStore(), clock, TimeSpan.FromMinutes(5));
        var p = TestPipelines.Default(Pseudo, vault: vault);
        var ctx = TestPipelines.Ctx(GuardDirection.Input, conversation: "c1");
        await p.EvaluateAsync("jane@example.com", ctx);
        Assert.Equal("jane@example.com", p.Restore("<EMAIL_1>", ctx));
        clock.Advance(TimeSpan.FromMinutes(6));
        Assert.Equal("<EMAIL_1>", p.Restore("<EMAIL_1>", ctx));
    }

    [Fact]
    public async Task CanaryInOutputIsBlockedButAllowedInInput()
    {
        var p = TestPipelines.Default(Pseudo);
        Assert.Equal(GuardAction.Allow, (await p.EvaluateAsync("System: ref ATTEST-CANARY-test12345678", TestPipelines.Ctx(GuardDirection.Input))).Action);
        var v = await p.EvaluateAsync("my prompt says ATTEST-CANARY-test12345678", TestPipelines.Ctx(GuardDirection.Output));
        Assert.Equal(GuardAction.Block, v.Action);
        Assert.Contains("canary.tenant", v.Reasons);
        Assert.Equal(GuardAction.Allow, (await p.EvaluateAsync("ATTEST-CANARY-test12345678", TestPipelines.Ctx(GuardDirection.Output, tenant: "globex"))).Action);
    }

    [Fact]
    public void GeneratedCanariesAreUnique() => Assert.NotEqual(CanaryTokens.Create(), CanaryTokens.Create());

    [Fact]
    public async Task ContentRulesAndAllowList()
    {
        var p = TestPipelines.Default(Pseudo);
        Assert.Equal(GuardAction.Block, (await p.EvaluateAsync("status of Project-Nightingale?", TestPipelines.Ctx(GuardDirection.Input))).Action);
        Assert.Equal(GuardAction.Block, (await p.EvaluateAsync("the codename falcon", TestPipelines.Ctx(GuardDirection.Input))).Action);
        Assert.Equal(GuardAction.Allow, (await p.EvaluateAsync("the nightingale sang", TestPipelines.Ctx(GuardDirection.Input))).Action);
        Assert.Equal(GuardAction.Allow, (await p.EvaluateAsync("write to support@acme.example", TestPipelines.Ctx(GuardDirection.Input))).Action);
    }

    [Fact]
    public async Task OutputSchemaBlocksOrAsksForOneRetry()
    {
        const string yaml = """
            version: 1
            guards:
              - id: s
                onSchemaFailure: retry
                outputSchema:
                  type: object
                  required: [answer]
                  properties:
                    answer: { type: string }
                    confidence: { type: number, minimum: 0, maximum: 1 }
            """;
        var p = TestPipelines.Default(yaml);
        var ok = await p.EvaluateAsync("{\"answer\":\"yes\",\"confidence\":0.5}", TestPipelines.Ctx(GuardDirection.Output));
        Assert.Equal(GuardAction.Allow, ok.Action);
        var bad = await p.EvaluateAsync("{\"confidence\":2}", TestPipelines.Ctx(GuardDirection.Output));
        Assert.Equal(GuardAction.Block, bad.Action);
        Assert.True(bad.SchemaRetryRequested());
        var notJson = await p.EvaluateAsync("sure! here it is", TestPipelines.Ctx(GuardDirection.Output));
        Assert.Contains("schema.invalid_json", notJson.Reasons);
    }

    [Fact]
    public async Task ThrowingGuardFailsClosedAndIsAudited()
    {
        var audit = new RecordingAudit();
        var p = new GuardPipelineBuilder(new StaticPolicySource(TestPipelines.Snapshot())).AddGuard(new ThrowingGuard()).WithAudit(audit).Build();
        var v = await p.EvaluateAsync("hello", TestPipelines.Ctx(GuardDirection.Input));
        Assert.Equal(GuardAction.Block, v.Action);
        Assert.True(v.Faulted);
        Assert.Contains("guard.fault.broken", v.Reasons);
        var rec = Assert.Single(audit.Records);
        Assert.Equal("block", rec.Decision);
        Assert.Equal("true", rec.Attributes["faulted"]);
    }

    [Fact]
    public async Task InvalidPolicyFailsClosed()
    {
        var p = TestPipelines.Default("version: 1\nguards:\n  - id: bad\n    denyPatterns: [\"(unclosed\"]\n");
        var v = await p.EvaluateAsync("hello", TestPipelines.Ctx(GuardDirection.Input));
        Assert.True(v.Faulted);
        Assert.Equal(GuardAction.Block, v.Action);
        Assert.Contains("policy.unavailable", v.Reasons);
    }

    [Fact]
    public async Task AuditFailureTurnsIntoABlock()
    {
        var audit = new RecordingAudit { Fail = true };
        var p = TestPipelines.Default(audit: audit);
        var v = await p.EvaluateAsync("mail jane@example.com", TestPipelines.Ctx(GuardDirection.Input));
        Assert.Equal(GuardAction.Block, v.Action);
        Assert.True(v.Faulted);
        Assert.Contains("audit.unavailable", v.Reasons);
    }

    [Fact]
    public async Task MiddlewareRunsOutermostFirstAndAFaultBlocks()
    {
        var order = new List<string>();
        var p = new GuardPipelineBuilder(new StaticPolicySource(TestPipelines.Snapshot()))
            .Use(next => async (r, ct) => { order.Add("outer"); return await next(r, ct); })
            .Use(next => async (r, ct) => { order.Add("inner"); return await next(r, ct); })
            .Build();
        await p.EvaluateAsync("x", TestPipelines.Ctx(GuardDirection.Input));
        Assert.Equal(["outer", "inner"], order);
        var broken = new GuardPipelineBuilder(new StaticPolicySource(TestPipelines.Snapshot())).Use(_ => (_, _) => throw new InvalidOperationException()).Build();
        Assert.True((await broken.EvaluateAsync("x", TestPipelines.Ctx(GuardDirection.Input))).Faulted);
    }

    [Fact]
    public async Task AuditRecordsCarryDigestsNotContent()
    {
        var audit = new RecordingAudit();
        var p = TestPipelines.Default(audit: audit);
        await p.EvaluateAsync("ssn 536-22-1234 and key AKIAQ3EGRZ7PLM4KXW2D", TestPipelines.Ctx(GuardDirection.Input));
        var rec = Assert.Single(audit.Records);
        Assert.Equal(AuditEventTypes.GuardFinding, rec.Type);
        var all = string.Join("|", rec.Reasons.Concat(rec.Attributes.Values).Concat(rec.Digests.Values)) + rec.Payload;
        Assert.DoesNotContain("536-22-1234", all);
        Assert.DoesNotContain("AKIAQ3EGRZ7PLM4KXW2D", all);
        Assert.Contains("span.0", rec.Digests.Keys);
        Assert.Equal("acme/user/alice", rec.Subject);
    }

    [Fact]
    public async Task CleanTextIsAllowedWithoutAnAuditRecord()
    {
        var audit = new RecordingAudit();
        var v = await TestPipelines.Default(audit: audit).EvaluateAsync("What is the capital of France?", TestPipelines.Ctx(GuardDirection.Input));
        Assert.Equal(GuardAction.Allow, v.Action);
        Assert.Empty(audit.Records);
    }
}
