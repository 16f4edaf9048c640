using System.Text;
using Attest.Core.Guards;
using Attest.Guards.Pipeline;
using Attest.Guards.Redaction;

namespace Attest.Guards.Streaming;

/// <summary>
/// Sliding-window scan of a streamed response. Each push rescans the unreleased text plus the last
/// <c>holdBack</c> released characters (so a value split across chunks is seen whole), then releases all
/// but the last <c>holdBack</c> characters — never cutting through a finding to redact or a placeholder to
/// restore. A block ends the session; the caller turns it into an error event. When an output schema applies,
/// windows are scanned without it and the whole answer is checked against it at <see cref="Complete"/>
/// (<see cref="IWholeOutputSession"/>). Not thread-safe.
/// </summary>
internal sealed class StreamingGuardSession : IStreamingGuardSession, IWholeOutputSession
{
    private readonly GuardPipeline _pipeline;
    private readonly GuardContext _context;
    private readonly CompiledGuardPolicy? _policy;
    private readonly int _holdBack;
    private readonly bool _restore;
    private readonly StringBuilder _pending = new();
    private readonly StringBuilder? _whole;
    private readonly HashSet<(long, string)> _seen = [];
    private readonly List<GuardFinding> _all = [];
    private string _tail = "";
    private long _released;
    private GuardVerdict? _block;

    public StreamingGuardSession(GuardPipeline pipeline, GuardContext context)
    {
        _pipeline = pipeline;
        _context = context;
        _policy = pipeline.PolicyFor(context);
        _holdBack = pipeline.StreamHoldBack;
        _restore = context.Direction == GuardDirection.Output && PseudonymVault.ScopeOf(context) is not null;
        if (context.Direction == GuardDirection.Output && _policy?.OutputSchema is not null) _whole = new StringBuilder();
    }

    public bool ValidatesWholeOutput => _whole is not null;

    public GuardStreamStep Push(string chunk)
    {
        if (_block is not null) return new GuardStreamStep("", _block, []);
        _pending.Append(chunk);
        _whole?.Append(chunk);
        return Guarded(final: false);
    }

    public GuardStreamStep Complete()
    {
        if (_block is not null) return new GuardStreamStep("", _block, []);
        var step = Guarded(final: true);
        if (step.Block is null && _whole is not null) step = WholeChecked(step);
        if (step.Block is null && _all.Count > 0) Audit(new GuardVerdict { Action = MaxAction(), Findings = _all, Text = "", Reasons = [.. _all.Select(f => f.RuleId).Distinct()] });
        return _block is not null ? new GuardStreamStep("", _block, step.Findings) : step;
    }

    private GuardStreamStep Step(bool final)
    {
        if (_policy is null) return Blocked(GuardVerdicts.Faulted("policy.unavailable"), []);
        string window = _tail + _pending.ToString();
        long windowBase = _released - _tail.Length;
        var d = _pipeline.Engine.Decide(window, _context, _policy, (g, e) => GuardLog.GuardFault(_pipeline.Logger, g, e.GetType().Name, _context.Identity.RequestId), schema: false);
        var fresh = new List<GuardFinding>();
        for (int i = 0; i < d.Findings.Count; i++)
        {
            var f = d.Findings[i];
            var abs = f with { Start = (int)(windowBase + f.Start) };
            if (_seen.Add((abs.Start, f.Type))) { fresh.Add(abs); _all.Add(abs); }
        }
        if (d.Faulted) return Blocked(GuardVerdicts.Faulted(d.Reasons[0], fresh), fresh);
        if (d.Action == GuardAction.Block)
            return Blocked(new GuardVerdict { Action = GuardAction.Block, Findings = fresh.Count > 0 ? fresh : d.Findings, Text = "", Reasons = d.Reasons }, fresh);

        int pendingStart = _tail.Length;
        int cut = final ? window.Length : Math.Max(pendingStart, window.Length - _holdBack);
        // Never release part of a span that will be redacted.
        for (int i = 0; i < d.Findings.Count; i++)
        {
            var f = d.Findings[i];
            if (d.Actions[i] == GuardAction.Redact && f.Start < cut && f.Start + f.Length > cut) cut = Math.Max(pendingStart, f.Start);
        }
        if (_restore && !final)
        {
            int lt = window.LastIndexOf('<', cut - 1 < 0 ? 0 : cut - 1);
            if (lt >= pendingStart && cut - lt < 40 && window.IndexOf('>', lt) is var gt && (gt < 0 || gt >= cut)) cut = lt;
        }
        var redactions = new List<GuardFinding>();
        for (int i = 0; i < d.Findings.Count; i++)
        {
            var f = d.Findings[i];
            if (d.Actions[i] == GuardAction.Redact && f.Start >= pendingStart && f.Start + f.Length <= cut)
                redactions.Add(f with { Start = f.Start - pendingStart });
        }
        string release = window[pendingStart..cut];
        if (redactions.Count > 0) release = Redactor.Apply(release, redactions, _policy.RedactionMode, _pipeline.Vault, PseudonymVault.ScopeOf(_context));
        string redacted = release;
        if (_restore) release = _pipeline.Restore(release, _context);
        _pending.Remove(0, cut - pendingStart);
        string releasedRaw = window[..cut];
        _tail = releasedRaw.Length > _holdBack ? releasedRaw[^_holdBack..] : releasedRaw;
        _released += cut - pendingStart;
        return new GuardStreamStep(release, null, fresh) { Redacted = redacted };
    }

    /// <summary>The end of the stream: the complete answer against the output schema (block, or a flag added to the step's findings).</summary>
    private GuardStreamStep WholeChecked(GuardStreamStep last)
    {
        GuardEngine.Decision d;
        try
        {
            d = _pipeline.Engine.DecideSchema(_whole!.ToString(), _context, _policy!);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            GuardLog.GuardFault(_pipeline.Logger, "schema", e.GetType().Name, _context.Identity.RequestId);
            return Blocked(GuardVerdicts.Faulted("guard.fault.schema"), []);
        }
        if (d.Findings.Count == 0) return last;
        _all.AddRange(d.Findings);
        if (d.Action == GuardAction.Block)
            return Blocked(new GuardVerdict { Action = GuardAction.Block, Findings = d.Findings, Text = "", Reasons = d.Reasons }, d.Findings);
        return last with { Findings = [.. last.Findings, .. d.Findings] };
    }

    /// <summary>A fault outside the detectors (the pseudonym store, the policy) blocks the stream instead of escaping to the caller.</summary>
    private GuardStreamStep Guarded(bool final)
    {
        try
        {
            return Step(final);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            GuardLog.GuardFault(_pipeline.Logger, "stream", e.GetType().Name, _context.Identity.RequestId);
            return Blocked(GuardVerdicts.Faulted("guard.fault.stream"), []);
        }
    }

    private GuardStreamStep Blocked(GuardVerdict verdict, IReadOnlyList<GuardFinding> fresh)
    {
        _block = Audit(verdict);
        _pending.Clear();
        return new GuardStreamStep("", _block, fresh);
    }

    private GuardVerdict Audit(GuardVerdict verdict)
    {
        try
        {
            // The streaming contract is synchronous; audit appends are rare here (findings only) and must complete before release.
            _pipeline.Auditor.AppendAsync(_tail + _pending, _context, verdict, CancellationToken.None).AsTask().GetAwaiter().GetResult();
            return verdict;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            GuardLog.AuditFault(_pipeline.Logger, e.GetType().Name, _context.Identity.RequestId);
            _block = GuardVerdicts.Faulted("audit.unavailable", verdict.Findings);
            return _block;
        }
    }

    private GuardAction MaxAction()
    {
        var a = GuardAction.Allow;
        foreach (var f in _all) { var x = _policy!.ActionFor(_context.Direction, f.Type); if (x > a) a = x; }
        return a;
    }
}
