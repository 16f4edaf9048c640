using Attest.Core.Identity;

namespace Attest.Core.Agents;

/// <summary>The verdict on a tool call a model proposed inside a chat completion.</summary>
/// <param name="Allowed">True when the agent may call the tool with these arguments (approval may still be needed at invocation).</param>
/// <param name="Reason">Why not, with the policy id.</param>
public sealed record ProposedToolCallVerdict(bool Allowed, string? Reason);

/// <summary>Checks model-proposed tool calls against the agent's allow-list (the gateway calls this on responses). Thread-safe.</summary>
public interface IToolCallPolicy
{
    ProposedToolCallVerdict CheckProposed(RequestIdentity identity, string toolName, string argumentsJson);
    /// <summary><c>remove</c> (drop the disallowed call) or <c>block</c> (deny the response), per the agent's config.</summary>
    string OnDisallowed(RequestIdentity identity);
}
