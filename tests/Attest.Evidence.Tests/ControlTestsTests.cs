using Attest.Core.Audit;
using Attest.Evidence.ControlTests;
using Attest.Evidence.Model;

namespace Attest.Evidence.Tests;

public class ControlTestsTests
{
    private static readonly TestClock Clock = new(Fixtures.Now, TimeSpan.FromDays(7));

    private static ControlTestResult Run(IControlTest test, EvidenceInputs inputs)
    {
        if (test.ReadsAuditLog && inputs.Audit is ListAuditReader r)
            foreach (var e in r.QueryAsync(new AuditQuery()).ToBlockingEnumerable()) test.Observe(e);
        return test.Evaluate(inputs, Clock);
    }

    private static KeyFact Key(string id, DateTimeOffset? expires, params string[] scopes) =>
        new(id, "acme", null, scopes, [], expires, null, null, null);

    [Fact]
    public void Keys_pass_when_every_key_expires_and_is_scoped()
    {
        var r = Run(new KeysScopedExpiringTest(), Fixtures.Inputs(keys: [Key("k1", Fixtures.End.AddDays(30), "chat")]));
        Assert.Equal(ControlStatus.Pass, r.Status);
        Assert.Equal(Fixtures.Now, r.CollectedAt);
        Assert.Equal(Fixtures.Now.AddDays(7), r.ExpiresAt);
    }

    [Fact]
    public void Keys_fail_for_a_key_without_expiry_and_name_it()
    {
        var r = Run(new KeysScopedExpiringTest(), Fixtures.Inputs(keys: [Key("k1", Fixtures.End.AddDays(30), "chat"), Key("k2", null)]));
        Assert.Equal(ControlStatus.Fail, r.Status);
        Assert.Contains(r.Remediation, x => x.Contains("k2") && x.Contains("no expiry"));
    }

    [Fact]
    public void Keys_are_not_computable_without_the_key_store()
    {
        Assert.Equal(ControlStatus.NotComputable, Run(new KeysScopedExpiringTest(), Fixtures.Inputs()).Status);
    }

    [Fact]
    public void Agents_pass_on_the_good_config()
    {
        Assert.Equal(ControlStatus.Pass, Run(new AgentsGovernedTest(), Fixtures.Inputs()).Status);
    }

    [Fact]
    public void Agents_fail_without_an_approval_rule_for_a_high_impact_tool_with_concrete_remediation()
    {
        var policy = Fixtures.Policy(Fixtures.GoodConfig.Replace("{ tool: refund, approval: always }", "{ tool: refund, approval: never }"));
        var r = Run(new AgentsGovernedTest(), Fixtures.Inputs(policy));
        Assert.Equal(ControlStatus.Fail, r.Status);
        Assert.Contains("agent billing-bot has no approval rule for tool refund", r.Remediation[0]);
    }

    [Fact]
    public void High_impact_calls_pass_with_matching_approvals_and_fail_without()
    {
        var ok = new[]
        {
            Fixtures.Event(AuditEventTypes.ApprovalGranted, attrs: new() { ["approval"] = "ap1" }),
            Fixtures.Event(AuditEventTypes.ToolCall, agent: "billing-bot", attrs: new() { ["tool"] = "refund", ["impact"] = "high", ["approval"] = "ap1" }),
        };
        Assert.Equal(ControlStatus.Pass, Run(new HighImpactApprovedTest(), Fixtures.Inputs(events: ok)).Status);
        var bad = ok.Append(Fixtures.Event(AuditEventTypes.ToolCall, agent: "billing-bot", attrs: new() { ["tool"] = "refund", ["impact"] = "critical", ["approval"] = "forged" }));
        var r = Run(new HighImpactApprovedTest(), Fixtures.Inputs(events: bad));
        Assert.Equal(ControlStatus.Fail, r.Status);
        Assert.Single(r.Resources, x => x.Status == ControlStatus.Fail);
        Assert.Equal(ControlStatus.NotApplicable, Run(new HighImpactApprovedTest(), Fixtures.Inputs(events: [])).Status);
        Assert.Equal(ControlStatus.NotComputable, Run(new HighImpactApprovedTest(), Fixtures.Inputs()).Status);
    }

    [Fact]
    public void Connectors_fail_when_owner_or_eval_cases_are_missing()
    {
        Assert.Equal(ControlStatus.Pass, Run(new ConnectorsDeclaredTest(), Fixtures.Inputs()).Status);
        var policy = Fixtures.Policy(Fixtures.GoodConfig.Replace("    owner: docs-team\n", "").Replace("evalCases: [{ query: vacation policy, expect: doc-1 }]", "evalCases: []"));
        var r = Run(new ConnectorsDeclaredTest(), Fixtures.Inputs(policy));
        Assert.Equal(ControlStatus.Fail, r.Status);
        Assert.Contains("connector wiki has no owner, eval cases", r.Remediation);
    }

    [Fact]
    public void Audit_integrity_passes_when_verified_and_fails_with_the_index()
    {
        Assert.Equal(ControlStatus.Pass, Run(new AuditLogVerifiesTest(), Fixtures.Inputs(integrity: new AuditIntegrity { Verified = true, Entries = 10, Checkpoints = 2, CheckpointsContinuous = true })).Status);
        var r = Run(new AuditLogVerifiesTest(), Fixtures.Inputs(integrity: new AuditIntegrity { Verified = false, FirstBadIndex = 7, Problem = "edited", Checkpoints = 1, CheckpointsContinuous = true }));
        Assert.Equal(ControlStatus.Fail, r.Status);
        Assert.Contains("index 7", r.Resources[0].Detail);
        Assert.Equal(ControlStatus.NotComputable, Run(new AuditLogVerifiesTest(), Fixtures.Inputs()).Status);
    }

    [Fact]
    public void Pii_guard_fails_when_input_pii_is_only_flagged_for_an_external_provider()
    {
        Assert.Equal(ControlStatus.Pass, Run(new PiiGuardExternalTest(), Fixtures.Inputs()).Status);
        var policy = Fixtures.Policy(Fixtures.GoodConfig.Replace("input: { pii: redact, injection: block }", "input: { pii.email: flag, injection: block }"));
        Assert.Equal(ControlStatus.Fail, Run(new PiiGuardExternalTest(), Fixtures.Inputs(policy)).Status);
    }

    [Fact]
    public void Unpinned_model_in_config_or_in_responses_fails()
    {
        var events = new[] { Fixtures.Event(AuditEventTypes.ChatResponse, model: new AuditModel("chat", "gpt-4o-2024-08-06", "openai")) };
        Assert.Equal(ControlStatus.Pass, Run(new ModelsPinnedTest(), Fixtures.Inputs(events: events)).Status);
        var drift = events.Append(Fixtures.Event(AuditEventTypes.ChatResponse, model: new AuditModel("chat", "gpt-4o", "openai")));
        Assert.Equal(ControlStatus.Fail, Run(new ModelsPinnedTest(), Fixtures.Inputs(events: drift)).Status);
        var latest = Fixtures.Policy(Fixtures.GoodConfig.Replace("claude-3-5-sonnet-20241022", "claude-latest"));
        Assert.Equal(ControlStatus.Fail, Run(new ModelsPinnedTest(), Fixtures.Inputs(latest, events)).Status);
    }

    [Fact]
    public void Production_model_with_one_provider_fails()
    {
        Assert.Equal(ControlStatus.Pass, Run(new ProductionFallbackTest(), Fixtures.Inputs()).Status);
        var single = Fixtures.Policy(Fixtures.GoodConfig.Replace("      - { provider: backup, model: claude-3-5-sonnet-20241022 }\n", ""));
        Assert.Equal(ControlStatus.Fail, Run(new ProductionFallbackTest(), Fixtures.Inputs(single)).Status);
    }

    [Fact]
    public void Token_baseline_flags_a_day_far_above_the_median()
    {
        var steady = Enumerable.Range(0, 10).Select(d => Fixtures.Event(AuditEventTypes.ChatResponse, Fixtures.Start.AddDays(d), agent: "billing-bot",
            model: new AuditModel("chat", "gpt-4o-2024-08-06", "openai"), tokens: 1000)).ToList();
        Assert.Equal(ControlStatus.Pass, Run(new TokenBaselineTest(), Fixtures.Inputs(events: steady)).Status);
        steady.Add(Fixtures.Event(AuditEventTypes.ChatResponse, Fixtures.Start.AddDays(20), agent: "billing-bot", model: new AuditModel("chat", "gpt-4o-2024-08-06", "openai"), tokens: 50_000));
        var r = Run(new TokenBaselineTest(), Fixtures.Inputs(events: steady));
        Assert.Equal(ControlStatus.NeedsAttention, r.Status);
        Assert.Contains(r.Resources, x => x.Detail.Contains("2026-10-21"));
    }

    [Fact]
    public void Retention_fails_when_no_purge_ran_in_a_month()
    {
        Assert.Equal(ControlStatus.Fail, Run(new RetentionAndDeletionTest(), Fixtures.Inputs(events: [])).Status);
        var purged = new[] { Fixtures.Event(AuditEventTypes.RetentionPurged) };
        Assert.Equal(ControlStatus.Pass, Run(new RetentionAndDeletionTest(), Fixtures.Inputs(events: purged)).Status);
    }

    [Fact]
    public void Retrieval_outside_the_keys_tenant_fails()
    {
        var keys = new[] { new KeyFact("k1", "acme", null, ["retrieve"], [], Fixtures.End, null, null, null) };
        var ok = new[] { Fixtures.Event(AuditEventTypes.RetrievalQuery, keyId: "k1") };
        Assert.Equal(ControlStatus.Pass, Run(new RetrievalIsolationTest(), Fixtures.Inputs(events: ok, keys: keys)).Status);
        var cross = ok.Append(Fixtures.Event(AuditEventTypes.RetrievalQuery, keyId: "k1", tenant: "globex"));
        Assert.Equal(ControlStatus.Fail, Run(new RetrievalIsolationTest(), Fixtures.Inputs(events: cross, keys: keys)).Status);
    }

    [Fact]
    public void Injection_policy_that_only_flags_fails_and_detections_are_counted()
    {
        var events = new[] { Fixtures.Event(AuditEventTypes.GuardFinding, decision: "block", reasons: ["injection.override"]) };
        var r = Run(new InjectionMonitoredTest(), Fixtures.Inputs(events: events));
        Assert.Equal(ControlStatus.Pass, r.Status);
        Assert.Contains("1 injection detections", r.Summary);
        var weak = Fixtures.Policy(Fixtures.GoodConfig.Replace("retrieved: { injection: block }", "retrieved: { injection: flag }"));
        Assert.Equal(ControlStatus.Fail, Run(new InjectionMonitoredTest(), Fixtures.Inputs(weak, events)).Status);
    }

    [Fact]
    public void Incidents_are_classified_by_class()
    {
        var events = new[]
        {
            Fixtures.Event(AuditEventTypes.GuardFinding, decision: "block", reasons: ["canary"]),
            Fixtures.Event(AuditEventTypes.RetrievalDenied, reasons: ["cross_tenant"]),
            Fixtures.Event(AuditEventTypes.ChatResponse),
        };
        var t = new IncidentsClassifiedTest();
        var r = Run(t, Fixtures.Inputs(events: events));
        Assert.Equal(ControlStatus.Pass, r.Status);
        Assert.Equal(1, t.ByClass[IncidentClasses.DataLeak].Count);
        Assert.Equal(1, t.ByClass[IncidentClasses.CrossTenant].Count);
        Assert.Equal(2, t.ByClass.Values.Sum(v => v.Count));
    }

    [Fact]
    public void Break_glass_longer_than_the_maximum_fails()
    {
        var s = Fixtures.Event(AuditEventTypes.BreakGlassStarted, Fixtures.Start, attrs: new() { ["breakglass"] = "bg1" });
        var okEnd = Fixtures.Event(AuditEventTypes.BreakGlassEnded, Fixtures.Start.AddHours(1), attrs: new() { ["breakglass"] = "bg1" });
        Assert.Equal(ControlStatus.Pass, Run(new BreakGlassBoundedTest(), Fixtures.Inputs(events: [s, okEnd])).Status);
        var lateEnd = Fixtures.Event(AuditEventTypes.BreakGlassEnded, Fixtures.Start.AddHours(9), attrs: new() { ["breakglass"] = "bg1" });
        Assert.Equal(ControlStatus.Fail, Run(new BreakGlassBoundedTest(), Fixtures.Inputs(events: [s, lateEnd])).Status);
    }

    [Fact]
    public void Http_provider_to_a_remote_host_fails_encryption_in_transit()
    {
        Assert.Equal(ControlStatus.Pass, Run(new EncryptionTest(), Fixtures.Inputs()).Status);
        var plain = Fixtures.Policy(Fixtures.GoodConfig.Replace("https://api.openai.com/v1", "http://llm.example.net/v1"));
        Assert.Equal(ControlStatus.Fail, Run(new EncryptionTest(), Fixtures.Inputs(plain)).Status);
    }

    [Fact]
    public void Disclosure_fails_when_a_response_lacks_it()
    {
        var ok = new[] { Fixtures.Event(AuditEventTypes.ChatResponse, attrs: new() { ["ai_disclosure"] = "true" }) };
        Assert.Equal(ControlStatus.Pass, Run(new DisclosureTest(), Fixtures.Inputs(events: ok)).Status);
        Assert.Equal(ControlStatus.Fail, Run(new DisclosureTest(), Fixtures.Inputs(events: ok.Append(Fixtures.Event(AuditEventTypes.ChatResponse)))).Status);
    }

    [Fact]
    public void Posture_findings_of_high_severity_fail_and_absent_scan_is_not_computable()
    {
        Assert.Equal(ControlStatus.NotComputable, Run(new K8sLeastPrivilegeTest(), Fixtures.Inputs()).Status);
        var inputs = Fixtures.Inputs() with { Posture = [new PostureFinding("ATT-K8S-002", "critical", "sa:agents/billing", "cluster-admin", "rbac.yaml:12", "billing-bot")] };
        Assert.Equal(ControlStatus.Fail, Run(new K8sLeastPrivilegeTest(), inputs).Status);
        Assert.Equal(ControlStatus.Pass, Run(new K8sLeastPrivilegeTest(), Fixtures.Inputs() with { Posture = [] }).Status);
    }
}
