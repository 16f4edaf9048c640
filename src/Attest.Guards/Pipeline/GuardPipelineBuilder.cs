using Attest.Core.Audit;
using Attest.Core.Config;
using Attest.Guards.Canary;
using Attest.Guards.Content;
using Attest.Guards.Injection;
using Attest.Guards.Pii;
using Attest.Guards.Redaction;
using Attest.Guards.Secrets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Attest.Guards.Pipeline;

/// <summary>
/// Builds a <see cref="GuardPipeline"/>. Middleware added first is outermost; the audit step always wraps
/// everything so that denials are recorded too. Detectors run in the order added.
/// </summary>
public sealed class GuardPipelineBuilder(IPolicySource policy)
{
    private readonly List<IContentGuard> _guards = [];
    private readonly List<Func<GuardHandler, GuardHandler>> _middleware = [];
    private IAuditLog _audit = NullAuditLog.Instance;
    private ILogger _logger = NullLogger.Instance;
    private PseudonymVault? _vault;
    private int _holdBack = 128;

    /// <summary>A builder with every built-in detector: canary, content rules, secrets, PII, injection.</summary>
    public static GuardPipelineBuilder CreateDefault(IPolicySource policy) => new GuardPipelineBuilder(policy)
        .AddGuard(new CanaryGuard()).AddGuard(new ContentGuard()).AddGuard(new SecretGuard()).AddGuard(new PiiGuard()).AddGuard(new InjectionGuard());

    public GuardPipelineBuilder AddGuard(IContentGuard guard) { _guards.Add(guard); return this; }
    public GuardPipelineBuilder Use(Func<GuardHandler, GuardHandler> middleware) { _middleware.Add(middleware); return this; }
    public GuardPipelineBuilder WithAudit(IAuditLog audit) { _audit = audit; return this; }
    public GuardPipelineBuilder WithLogger(ILogger logger) { _logger = logger; return this; }
    public GuardPipelineBuilder WithVault(PseudonymVault vault) { _vault = vault; return this; }

    /// <summary>Characters a stream holds back before release (default 128): a secret or PII value up to this long is never partly released.</summary>
    public GuardPipelineBuilder WithStreamHoldBack(int characters) { _holdBack = Math.Max(16, characters); return this; }

    public GuardPipeline Build()
    {
        var vault = _vault ?? PseudonymVault.Ephemeral(TimeProvider.System);
        var digestKey = vault.DeriveKey("audit-span-digest");
        return new GuardPipeline(policy, new GuardEngine([.. _guards]), new GuardAuditor(_audit, digestKey), vault, _logger, [.. _middleware], _holdBack);
    }
}
