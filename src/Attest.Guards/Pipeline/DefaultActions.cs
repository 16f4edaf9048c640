using Attest.Core.Guards;

namespace Attest.Guards.Pipeline;

/// <summary>
/// What happens to a finding when no policy says otherwise. Input: PII redact, secrets block, injection block.
/// Retrieved and tool results: injection block, PII and secrets redact. Tool arguments: secrets and canaries block,
/// PII flag. Output: secrets and canaries block, PII flag, schema block. Content deny rules block everywhere.
/// Canaries in input and retrieved text are expected (they are placed there) and allowed.
/// </summary>
public static class DefaultActions
{
    public static GuardAction For(GuardDirection direction, string type)
    {
        string family = type.IndexOf('.', StringComparison.Ordinal) is var dot and > 0 ? type[..dot] : type;
        return (direction, family) switch
        {
            (_, "content") => GuardAction.Block,
            (_, "schema") => GuardAction.Block,
            (GuardDirection.Input, "pii") => GuardAction.Redact,
            (GuardDirection.Input, "secret") => GuardAction.Block,
            (GuardDirection.Input, "injection") => GuardAction.Block,
            (GuardDirection.Input, "canary") => GuardAction.Allow,
            (GuardDirection.Retrieved or GuardDirection.ToolResult, "injection") => GuardAction.Block,
            (GuardDirection.Retrieved or GuardDirection.ToolResult, "pii" or "secret") => GuardAction.Redact,
            (GuardDirection.Retrieved, "canary") => GuardAction.Allow,
            (GuardDirection.ToolResult, "canary") => GuardAction.Flag,
            (GuardDirection.ToolArguments, "secret" or "canary") => GuardAction.Block,
            (GuardDirection.ToolArguments, "pii" or "injection") => GuardAction.Flag,
            (GuardDirection.Output, "secret" or "canary") => GuardAction.Block,
            (GuardDirection.Output, "pii" or "injection") => GuardAction.Flag,
            _ => GuardAction.Flag,
        };
    }

    /// <summary>Policy keys for a direction, most specific first.</summary>
    public static string[] Keys(GuardDirection direction) => direction switch
    {
        GuardDirection.Input => ["input"],
        GuardDirection.Retrieved => ["retrieved"],
        GuardDirection.ToolArguments => ["tool_arguments", "tool"],
        GuardDirection.ToolResult => ["tool_result", "tool"],
        GuardDirection.Output => ["output"],
        _ => [],
    };

    public static GuardAction Parse(string value) => value.Trim().ToLowerInvariant() switch
    {
        "allow" => GuardAction.Allow,
        "flag" => GuardAction.Flag,
        "redact" => GuardAction.Redact,
        "block" or "deny" => GuardAction.Block,
        _ => throw new FormatException($"unknown guard action '{value}' (allow, flag, redact, block)"),
    };
}
