using System.Runtime.InteropServices;
using Attest.Core.Config;
using Attest.Core.Guards;
using Attest.Guards.Redaction;
using Attest.Guards.Streaming;
using Microsoft.Extensions.Logging;

namespace Attest.Guards.Pipeline;

/// <summary>A request to the guard chain: the text and where it comes from.</summary>
public sealed record GuardRequest(string Text, GuardContext Context);

/// <summary>One link of the guard chain (middleware shape: first added is outermost).</summary>
public delegate ValueTask<GuardVerdict> GuardHandler(GuardRequest request, CancellationToken cancellationToken);

/// <summary>
/// Attest's <see cref="IGuardPipeline"/>: resolves the compiled policy of the current snapshot for the caller,
/// runs the detectors, maps findings to actions, redacts, and records every decision with findings in the
/// audit log. Any fault (detector, policy, audit) yields a faulted block. Thread-safe.
/// </summary>
public sealed class GuardPipeline : IGuardPipeline
{
    private readonly GuardHandler _chain;
    private readonly GuardPolicyCache _policies = new();

    internal GuardPipeline(IPolicySource policy, GuardEngine engine, GuardAuditor auditor, PseudonymVault vault, ILogger logger,
        IReadOnlyList<Func<GuardHandler, GuardHandler>> middleware, int streamHoldBack)
    {
        Policy = policy;
        Engine = engine;
        Auditor = auditor;
        Vault = vault;
        Logger = logger;
        StreamHoldBack = streamHoldBack;
        GuardHandler chain = CoreAsync;
        for (int i = middleware.Count - 1; i >= 0; i--) chain = middleware[i](chain);
        _chain = AuditedAsync(chain);
    }

    internal IPolicySource Policy { get; }
    internal GuardEngine Engine { get; }
    internal GuardAuditor Auditor { get; }
    internal PseudonymVault Vault { get; }
    internal ILogger Logger { get; }
    internal int StreamHoldBack { get; }

    public async ValueTask<GuardVerdict> EvaluateAsync(string text, GuardContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            return await _chain(new GuardRequest(text, context), cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A middleware fault is still a guard fault: fail closed.
            GuardLog.GuardFault(Logger, "pipeline", e.GetType().Name, context.Identity.RequestId);
            return GuardVerdicts.Faulted("guard.fault.pipeline");
        }
    }

    public IStreamingGuardSession BeginStream(GuardContext context) => new StreamingGuardSession(this, context);

    public string Restore(string text, GuardContext context) =>
        PseudonymVault.ScopeOf(context) is { } scope ? Vault.Restore(scope, text) : text;

    /// <summary>The compiled policy for a caller, or null (logged) when it cannot be compiled.</summary>
    internal CompiledGuardPolicy? PolicyFor(GuardContext context)
    {
        try
        {
            return _policies.For(Policy.Current, context.Identity.Tenant, context.Identity.Agent, context.Model);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            GuardLog.PolicyFault(Logger, context.Identity.Tenant, e.GetType().Name);
            return null;
        }
    }

    internal GuardVerdict ToVerdict(string text, GuardContext context, CompiledGuardPolicy policy, GuardEngine.Decision d)
    {
        if (d.Faulted) return GuardVerdicts.Faulted(d.Reasons[0], d.Findings);
        string output = d.Action switch
        {
            GuardAction.Block => "",
            GuardAction.Redact => Redactor.Apply(text, CollectionsMarshal.AsSpan(d.Findings), CollectionsMarshal.AsSpan(d.Actions), policy.RedactionMode, Vault, PseudonymVault.ScopeOf(context)),
            _ => text,
        };
        return new GuardVerdict { Action = d.Action, Findings = d.Findings, Text = output, Reasons = d.Reasons };
    }

    private ValueTask<GuardVerdict> CoreAsync(GuardRequest request, CancellationToken cancellationToken)
    {
        var policy = PolicyFor(request.Context);
        if (policy is null) return ValueTask.FromResult(GuardVerdicts.Faulted("policy.unavailable"));
        var d = Engine.Decide(request.Text, request.Context, policy, (g, e) => GuardLog.GuardFault(Logger, g, e.GetType().Name, request.Context.Identity.RequestId));
        return ValueTask.FromResult(ToVerdict(request.Text, request.Context, policy, d));
    }

    private GuardHandler AuditedAsync(GuardHandler inner) => async (request, ct) =>
    {
        var verdict = await inner(request, ct);
        var ctx = request.Context;
        if (Logger.IsEnabled(LogLevel.Debug))
            GuardLog.Verdict(Logger, verdict.Action, ctx.Direction, ctx.Identity.Tenant, ctx.Identity.RequestId, verdict.Findings.Count, string.Join(',', verdict.Reasons));
        if (verdict.Findings.Count == 0 && verdict.Action == GuardAction.Allow) return verdict;
        try
        {
            await Auditor.AppendAsync(request.Text, ctx, verdict, ct);
            return verdict;
        }
        catch (Exception e) when (e is not OutOfMemoryException and not OperationCanceledException)
        {
            // The decision could not be recorded: deny rather than act without evidence.
            GuardLog.AuditFault(Logger, e.GetType().Name, ctx.Identity.RequestId);
            return GuardVerdicts.Faulted("audit.unavailable", verdict.Findings);
        }
    };
}
