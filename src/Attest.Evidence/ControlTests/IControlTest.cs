using Attest.Core.Audit;
using Attest.Evidence.Model;

namespace Attest.Evidence.ControlTests;

/// <summary>
/// An automated control test: resources -> rule -> per-resource result -> status. Tests that read
/// the audit log see each event of the period once, in order, through <see cref="Observe"/> (one
/// streaming pass for all tests, so a report over millions of events stays in bounded memory), then
/// <see cref="Evaluate"/> computes the result. One instance per report run; not thread-safe.
/// </summary>
public interface IControlTest
{
    string Id { get; }
    string Title { get; }
    /// <summary>True when the test needs the audit log; without one it reports not computable.</summary>
    bool ReadsAuditLog => false;
    void Observe(AuditEventView e) { }
    ControlTestResult Evaluate(EvidenceInputs inputs, TestClock clock);
}

/// <summary>The collected-at time and the freshness window of results from one run.</summary>
public sealed record TestClock(DateTimeOffset CollectedAt, TimeSpan Validity)
{
    public DateTimeOffset ExpiresAt => CollectedAt + Validity;

    public ControlTestResult Result(IControlTest test, IReadOnlyList<ResourceResult> resources, string summary,
        IReadOnlyList<EvidenceRef>? evidence = null, IReadOnlyList<string>? remediation = null, ControlStatus? status = null) => new()
    {
        TestId = test.Id,
        Title = test.Title,
        Status = status ?? ControlTestResult.Aggregate(resources),
        Summary = summary,
        Resources = resources,
        Evidence = evidence ?? [],
        Remediation = remediation ?? [],
        CollectedAt = CollectedAt,
        ExpiresAt = ExpiresAt,
    };

    public ControlTestResult NotComputable(IControlTest test, string why) =>
        Result(test, [], why, status: ControlStatus.NotComputable);
}
