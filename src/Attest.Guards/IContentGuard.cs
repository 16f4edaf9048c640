using Attest.Core.Guards;

namespace Attest.Guards;

/// <summary>
/// One detector: scans a text and appends typed findings (type, span, score, rule id). Detectors never
/// change the text; the policy decides what happens. Implementations are immutable and thread-safe;
/// a detector that throws makes the pipeline fail closed.
/// </summary>
public interface IContentGuard
{
    /// <summary>Stable name, e.g. <c>pii</c>, <c>secrets</c>, <c>injection</c>.</summary>
    string Name { get; }

    /// <summary>Appends the findings for <paramref name="text"/> to <paramref name="findings"/>.</summary>
    void Scan(string text, GuardScan scan, List<GuardFinding> findings);
}

/// <summary>Per-call inputs a detector may need beyond the text: direction and the compiled tenant policy.</summary>
public sealed record GuardScan(GuardDirection Direction, CompiledGuardPolicy Policy);
