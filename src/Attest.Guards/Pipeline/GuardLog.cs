using Attest.Core.Guards;
using Microsoft.Extensions.Logging;

namespace Attest.Guards.Pipeline;

/// <summary>Source-generated log messages. They carry ids, counts and rule names only — never content.</summary>
internal static partial class GuardLog
{
    [LoggerMessage(1, LogLevel.Debug, "Guard verdict {Action} for {Direction} (tenant {Tenant}, request {RequestId}): {FindingCount} findings, rules {Rules}")]
    public static partial void Verdict(ILogger logger, GuardAction action, GuardDirection direction, string tenant, string? requestId, int findingCount, string rules);

    [LoggerMessage(2, LogLevel.Error, "Guard {Guard} failed ({ExceptionType}) for request {RequestId}; failing closed")]
    public static partial void GuardFault(ILogger logger, string guard, string exceptionType, string? requestId);

    [LoggerMessage(3, LogLevel.Error, "Guard policy for tenant {Tenant} cannot be evaluated ({ExceptionType}); failing closed")]
    public static partial void PolicyFault(ILogger logger, string tenant, string exceptionType);

    [LoggerMessage(4, LogLevel.Error, "Audit append for a guard decision failed ({ExceptionType}) for request {RequestId}; failing closed")]
    public static partial void AuditFault(ILogger logger, string exceptionType, string? requestId);
}
