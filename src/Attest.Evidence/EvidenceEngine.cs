using Attest.Core.Audit;
using Attest.Evidence.Catalog;
using Attest.Evidence.ControlTests;
using Attest.Evidence.Model;

namespace Attest.Evidence;

/// <summary>The status of one of Attest's controls in a run: its test's result.</summary>
public sealed record ControlOutcome(Control Control, ControlTestResult Result);

/// <summary>Everything one evidence run computed: control tests, control outcomes and readiness.</summary>
public sealed record EvidenceRun
{
    public required EvidenceInputs Inputs { get; init; }
    public required DateTimeOffset CollectedAt { get; init; }
    public required IReadOnlyList<ControlTestResult> Tests { get; init; }
    public required IReadOnlyList<ControlOutcome> Controls { get; init; }
    public required ReadinessReport Readiness { get; init; }
    public required long EventsRead { get; init; }
    public IReadOnlyDictionary<string, long> IncidentCounts { get; init; } = new Dictionary<string, long>();
}

/// <summary>
/// Runs every automated control test over a period: one streaming pass over the audit log for all
/// tests, then evaluation against live config and the other inputs. Stateless; thread-safe.
/// </summary>
public static class EvidenceEngine
{
    /// <summary>How long results stay valid before they must be collected again. Default 7 days.</summary>
    public static TimeSpan Validity { get; set; } = TimeSpan.FromDays(7);

    public static IReadOnlyList<IControlTest> CreateTests() =>
    [
        new KeysScopedExpiringTest(), new AgentsGovernedTest(), new HighImpactApprovedTest(), new BreakGlassBoundedTest(),
        new RetrievalIsolationTest(), new K8sLeastPrivilegeTest(), new AuditLogVerifiesTest(), new ModelsPinnedTest(),
        new PiiGuardExternalTest(), new InjectionMonitoredTest(), new LeakGuardsTest(), new OutputValidationTest(),
        new TokenBaselineTest(), new ProductionFallbackTest(), new IncidentsClassifiedTest(), new ConfigVersionedTest(),
        new ProvidersRegisteredTest(), new ConnectorsDeclaredTest(), new EncryptionTest(), new RetentionAndDeletionTest(),
        new DisclosureTest(),
    ];

    public static async Task<EvidenceRun> RunAsync(EvidenceInputs inputs, TimeProvider time, ControlCatalog? catalog = null, CancellationToken cancellationToken = default)
    {
        catalog ??= ControlCatalog.Default;
        var tests = CreateTests();
        long events = 0;
        if (inputs.Audit is not null)
        {
            var observers = tests.Where(t => t.ReadsAuditLog).ToArray();
            await foreach (var e in inputs.Audit.QueryAsync(new AuditQuery { From = inputs.PeriodStart, To = inputs.PeriodEnd }, cancellationToken))
            {
                if (e.Time < inputs.PeriodStart || e.Time >= inputs.PeriodEnd) continue;
                events++;
                foreach (var o in observers) o.Observe(e);
            }
        }
        var clock = new TestClock(time.GetUtcNow(), Validity);
        var results = tests.Select(t => t.Evaluate(inputs, clock)).ToList();
        results.Add(EvidenceFreshness(results, clock));
        var byId = results.ToDictionary(r => r.TestId, StringComparer.Ordinal);
        var controls = catalog.Controls.Select(c => new ControlOutcome(c, byId.TryGetValue(c.Test, out var r) ? r
            : clock.NotComputable(new NamedTest(c.Test), $"no automated test named '{c.Test}'"))).ToList();
        var incidents = tests.OfType<IncidentsClassifiedTest>().Single().ByClass.ToDictionary(p => p.Key, p => p.Value.Count, StringComparer.Ordinal);
        return new EvidenceRun
        {
            Inputs = inputs, CollectedAt = clock.CollectedAt, Tests = results, Controls = controls,
            Readiness = ReadinessReport.Build(catalog, controls), EventsRead = events, IncidentCounts = incidents,
        };
    }

    /// <summary>The meta test: every control test could be computed in this run (none silently skipped).</summary>
    private static ControlTestResult EvidenceFreshness(IReadOnlyList<ControlTestResult> results, TestClock clock)
    {
        var test = new NamedTest("evidence-fresh", "Every control test ran and produced current evidence");
        var resources = results.Select(r => new ResourceResult("control-test", r.TestId,
            r.Status == ControlStatus.NotComputable ? ControlStatus.NeedsAttention : ControlStatus.Pass,
            r.Status == ControlStatus.NotComputable ? "could not be computed: " + r.Summary : $"computed, valid until {r.ExpiresAt:yyyy-MM-dd}")).ToList();
        return clock.Result(test, resources, $"{resources.Count(r => r.Status == ControlStatus.Pass)} of {resources.Count} control tests computed.",
            remediation: resources.Where(r => r.Status != ControlStatus.Pass).Select(r => $"supply the input for {r.Id}").ToList());
    }

    private sealed class NamedTest(string id, string? title = null) : IControlTest
    {
        public string Id => id;
        public string Title => title ?? id;
        public ControlTestResult Evaluate(EvidenceInputs inputs, TestClock clock) => clock.NotComputable(this, "not a runnable test");
    }
}
