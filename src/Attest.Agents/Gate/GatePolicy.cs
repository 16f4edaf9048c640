using System.Text.Json;
using Attest.Agents.Policy;
using Attest.Core.Identity;

namespace Attest.Agents.Gate;

/// <summary>The synchronous, side-effect-free part of the gate: agent, allow-list, schema, constraints, approval rule.</summary>
public static class GatePolicy
{
    /// <summary>Resolves the agent and tool and validates the arguments. On success returns the tool and the parsed arguments (caller disposes).</summary>
    public static (CompiledAgent? Agent, AgentTool? Tool, JsonDocument? Args, GateOutcome? Denial) Check(
        AgentCatalog catalog, RequestIdentity identity, string toolId, string argumentsJson)
    {
        var agent = catalog.Agent(identity.Agent);
        if (agent is null)
            return (null, null, null, GateOutcome.Deny(403, GateCodes.AgentUnknown, identity.Agent is null
                ? "this key is not bound to an agent; tool calls need an agent identity"
                : $"agent '{identity.Agent}' is not declared in the policy"));
        if (!agent.Tools.TryGetValue(toolId, out var tool))
            return (agent, null, null, GateOutcome.Deny(403, GateCodes.ToolNotAllowed, $"agent '{agent.Id}' may not use tool '{toolId}'", "tool"));
        if (agent.CompileError is not null || tool.CompileError is not null)
            return (agent, tool, null, GateOutcome.Deny(403, GateCodes.PolicyError, $"the policy for tool '{toolId}' is invalid: {tool.CompileError ?? agent.CompileError}"));
        JsonDocument doc;
        try { doc = JsonDocument.Parse(string.IsNullOrWhiteSpace(argumentsJson) ? "{}" : argumentsJson); }
        catch (JsonException e) { return (agent, tool, null, GateOutcome.Deny(400, GateCodes.InvalidArguments, $"arguments are not valid JSON: {e.Message}", "arguments")); }
        if (doc.RootElement.ValueKind != JsonValueKind.Object)
        {
            doc.Dispose();
            return (agent, tool, null, GateOutcome.Deny(400, GateCodes.InvalidArguments, "arguments must be a JSON object", "arguments"));
        }
        if (tool.Schema is not null)
        {
            var errors = tool.Schema.Validate(doc.RootElement.GetRawText());
            if (errors.Count > 0)
            {
                var first = errors.First();
                doc.Dispose();
                var where = string.IsNullOrEmpty(first.Path) ? "#" : first.Path;
                return (agent, tool, null, GateOutcome.Deny(400, GateCodes.InvalidArguments,
                    $"arguments do not match the schema of '{toolId}': {first.Kind} at {where}", first.Property ?? "arguments"));
            }
        }
        foreach (var constraints in new[] { tool.Tool.Constraints, tool.Entry.Constraints })
        {
            if (ToolConstraints.Check(doc.RootElement, constraints) is { } v)
            {
                doc.Dispose();
                return (agent, tool, null, GateOutcome.Deny(403, GateCodes.ConstraintViolation, v.Message, v.Param));
            }
        }
        return (agent, tool, doc, null);
    }

    /// <summary>
    /// Whether this call needs a human: by the agent's rule, and always when the tool's own impact is high or
    /// critical (a rule of <c>never</c> cannot lower a high-impact tool). Returns the rule id that applied.
    /// </summary>
    public static (bool Needed, string Rule) NeedsApproval(CompiledAgent agent, AgentTool tool, JsonElement args)
    {
        if (AgentCatalog.IsHighImpact(tool.Tool.Impact)) return (true, $"tool-impact:{tool.Tool.Impact}");
        return tool.Entry.Approval switch
        {
            "never" => (false, "never"),
            "always" => (true, "always"),
            "when" => tool.Condition!.Evaluate(args) ? (true, $"when:{tool.Condition.Text}") : (false, $"when-not:{tool.Condition.Text}"),
            _ => AgentCatalog.IsHighImpact(agent.Config.Impact) ? (true, $"agent-impact:{agent.Config.Impact}") : (false, "impact:low"),
        };
    }
}
