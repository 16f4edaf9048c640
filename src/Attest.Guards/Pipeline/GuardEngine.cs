using Attest.Core.Guards;

namespace Attest.Guards.Pipeline;

/// <summary>The synchronous core: run every detector, drop allow-listed spans, map findings to actions.</summary>
internal sealed class GuardEngine(IReadOnlyList<IContentGuard> guards)
{
    internal sealed record Decision(GuardAction Action, List<GuardFinding> Findings, List<GuardAction> Actions, List<string> Reasons, bool Faulted);

    public IReadOnlyList<IContentGuard> Guards => guards;

    [ThreadStatic] private static List<GuardFinding>? t_scratch;

    /// <summary>
    /// Never throws for a detector fault: the decision is then a faulted block naming the detector. With
    /// <paramref name="schema"/> false the output schema is left out (a streamed window is not the whole answer).
    /// </summary>
    public Decision Decide(string text, GuardContext context, CompiledGuardPolicy policy, Action<string, Exception>? onFault = null, bool schema = true)
    {
        // Detectors fill a per-thread scratch list; the decision keeps an exact-size copy (no regrowth garbage per call).
        // Taken from the thread while in use, so a detector that runs another decision on this thread gets its own.
        var scratch = t_scratch ?? new List<GuardFinding>(64);
        t_scratch = null;
        var scan = new GuardScan(context.Direction, policy);
        List<GuardFinding> findings;
        try
        {
            foreach (var guard in guards)
            {
                try
                {
                    guard.Scan(text, scan, scratch);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    // Fail closed: a detector that cannot finish means the text was not checked.
                    onFault?.Invoke(guard.Name, e);
                    return new Decision(GuardAction.Block, [.. scratch], [], [$"guard.fault.{guard.Name}"], true);
                }
            }
            findings = scratch.Count == 0 ? [] : new List<GuardFinding>(scratch);
        }
        finally
        {
            // The scratch list must not keep a caller's findings alive, nor grow without bound after a huge text.
            scratch.Clear();
            if (scratch.Capacity <= 4096) t_scratch = scratch;
        }
        if (schema) AddSchemaFinding(text, context, policy, findings);
        if (policy.AllowPatterns.Count > 0) RemoveAllowed(text, policy, findings);
        return Conclude(findings, context, policy);
    }

    /// <summary>Checks only the output schema over the whole answer (the end of a stream); allow when no schema applies.</summary>
    public Decision DecideSchema(string text, GuardContext context, CompiledGuardPolicy policy)
    {
        var findings = new List<GuardFinding>(1);
        AddSchemaFinding(text, context, policy, findings);
        return Conclude(findings, context, policy);
    }

    private static Decision Conclude(List<GuardFinding> findings, GuardContext context, CompiledGuardPolicy policy)
    {
        var actions = new List<GuardAction>(findings.Count);
        var reasons = new List<string>();
        var overall = GuardAction.Allow;
        foreach (var f in findings)
        {
            var a = policy.ActionFor(context.Direction, f.Type);
            actions.Add(a);
            if (a > overall) overall = a;
            if (a > GuardAction.Allow && !reasons.Contains(f.RuleId)) reasons.Add(f.RuleId);
        }
        if (overall == GuardAction.Block && policy.RetryOnSchemaFailure && OnlySchemaBlocks(findings, actions)) reasons.Add(GuardVerdicts.SchemaRetryReason);
        if (overall > GuardAction.Allow) reasons.AddRange(policy.PolicyIds.Select(id => "policy:" + id));
        return new Decision(overall, findings, actions, reasons, false);
    }

    private static void AddSchemaFinding(string text, GuardContext context, CompiledGuardPolicy policy, List<GuardFinding> findings)
    {
        if (context.Direction != GuardDirection.Output || policy.OutputSchema is null) return;
        if (policy.OutputSchema.Validate(text) is { } error)
            findings.Add(new GuardFinding("schema", 0, text.Length, 1.0, "schema." + error));
    }

    private static void RemoveAllowed(string text, CompiledGuardPolicy policy, List<GuardFinding> findings)
    {
        var allowed = new List<(int Start, int End)>();
        foreach (var r in policy.AllowPatterns)
            foreach (var m in r.EnumerateMatches(text)) allowed.Add((m.Index, m.Index + m.Length));
        if (allowed.Count == 0) return;
        findings.RemoveAll(f => f.Type is not ("injection" or "canary" or "schema")
            && allowed.Exists(a => a.Start <= f.Start && f.Start + f.Length <= a.End));
    }

    private static bool OnlySchemaBlocks(List<GuardFinding> findings, List<GuardAction> actions)
    {
        for (int i = 0; i < findings.Count; i++)
            if (actions[i] == GuardAction.Block && findings[i].Type != "schema") return false;
        return true;
    }
}
