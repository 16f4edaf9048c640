using Attest.Agents.Policy;
using Attest.Core.Agents;
using Attest.Core.Config;
using Attest.Core.Identity;

namespace Attest.Agents.Gate;

/// <summary>
/// Checks tool calls a model proposes inside a chat completion against the calling agent's allow-list, argument
/// schema and constraints (approval is decided later, when the call is invoked through the gate). Keys without an
/// agent are applications, not agents: their proposals are not restricted here. Thread-safe.
/// </summary>
public sealed class ToolCallPolicy(IPolicySource policy) : IToolCallPolicy
{
    public ProposedToolCallVerdict CheckProposed(RequestIdentity identity, string toolName, string argumentsJson)
    {
        if (identity.Agent is null) return new ProposedToolCallVerdict(true, null);
        var (_, _, args, denial) = GatePolicy.Check(AgentCatalog.For(policy.Current), identity, toolName, argumentsJson);
        args?.Dispose();
        return denial is null ? new ProposedToolCallVerdict(true, null) : new ProposedToolCallVerdict(false, $"{denial.Code}: {denial.Message}");
    }

    public string OnDisallowed(RequestIdentity identity) =>
        identity.Agent is not null && policy.Current.Agents.TryGetValue(identity.Agent, out var a) && a.ProposedToolPolicy == "block" ? "block" : "remove";
}
