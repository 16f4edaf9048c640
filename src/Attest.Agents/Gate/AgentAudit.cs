using Attest.Core.Audit;
using Attest.Core.Identity;

namespace Attest.Agents.Gate;

/// <summary>Builds the audit records of the agent area: ids, digests and decisions only, never arguments or results in clear.</summary>
public static class AgentAudit
{
    public static AuditRecord For(string type, RequestIdentity who, string dataClass, string? decision,
        IReadOnlyList<string>? reasons, Dictionary<string, string> attributes, Dictionary<string, string>? digests = null) => new()
    {
        Type = type,
        Tenant = who.Tenant,
        Actor = new AuditActor { KeyId = who.KeyId, Principal = who.Principal, Agent = who.Agent, EndUser = who.EndUser },
        Subject = who.DataSubject,
        DataClass = dataClass,
        Decision = decision,
        Reasons = reasons ?? [],
        Attributes = attributes,
        Digests = digests ?? [],
    };

    /// <summary>An admin or approver acting (not an agent call).</summary>
    public static AuditRecord ForPrincipal(string type, string tenant, string principal, string? keyId, string dataClass, string? decision,
        IReadOnlyList<string>? reasons, Dictionary<string, string> attributes) => new()
    {
        Type = type,
        Tenant = tenant,
        Actor = new AuditActor { Principal = principal, KeyId = keyId, Admin = principal },
        Subject = $"{tenant}/tenant",
        DataClass = dataClass,
        Decision = decision,
        Reasons = reasons ?? [],
        Attributes = attributes,
    };
}
