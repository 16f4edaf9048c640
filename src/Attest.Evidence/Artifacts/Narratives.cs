using System.Globalization;
using System.Text;
using Attest.Core.Config;

namespace Attest.Evidence.Artifacts;

/// <summary>Prose artifacts written from config: the access-control narrative and the incident response summary.</summary>
public static class Narratives
{
    public static string AccessControl(PolicySnapshot p)
    {
        var c = p.Config;
        var sb = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        sb.AppendLine(inv, $"Attest serves {c.Tenants.Count} tenant(s) ({string.Join(", ", c.Tenants.Select(t => t.Id))}). Every call to the model, retrieval and tool APIs needs a virtual key bound to exactly one tenant; keys are stored only as a keyed hash with a display prefix, carry scopes (chat, embeddings, retrieve, tools, ingest, approve, admin) and model lists, expire, can be rotated with an overlap window and revoked with effect on the next request on every replica.");
        sb.AppendLine();
        var roles = c.Principals.SelectMany(x => x.Roles.Select(r => (Role: r, x.Id))).GroupBy(x => x.Role).OrderBy(g => g.Key, StringComparer.Ordinal);
        foreach (var g in roles) sb.AppendLine(inv, $"- Role **{g.Key}**: {string.Join(", ", g.Select(x => x.Id))}.");
        if (c.Groups.Count > 0) sb.AppendLine(inv, $"- {c.Groups.Count} group(s) mirror source-system groups for retrieval ACLs: {string.Join(", ", c.Groups.Select(g => g.Id))}.");
        sb.AppendLine();
        sb.AppendLine(inv, $"{c.Agents.Count} agent(s) are declared, each with its own identity and keys, an owner, a domain and a deny-by-default tool allow-list. Tool arguments are validated against JSON Schemas and constraints (path prefixes, maximum values, allowed hosts). Tool credentials are held by Attest and never shown to agents.");
        foreach (var a in c.Agents)
            sb.AppendLine(inv, $"- **{a.Id}** (owner {a.Owner}, impact {a.Impact}): {(a.Tools.Count == 0 ? "no tools" : string.Join("; ", a.Tools.Select(t => $"{t.Tool} — approval {t.Approval}{(t.When is null ? "" : $" when {t.When}")}")))}.");
        sb.AppendLine();
        sb.AppendLine(inv, $"High-impact tool calls wait for an approval by a principal with the **{c.Approvals.ApproverRole}** role, bound to the agent, tool and canonical hash of the exact arguments, single-use and expiring after {c.Approvals.Expiry}. The approver can never be the requester or the agent's own key.");
        sb.AppendLine();
        sb.AppendLine(inv, $"Break-glass access needs a principal with the **{c.BreakGlass.AdminRole}** role and a reason, lasts at most {c.BreakGlass.MaxDuration}, ends by itself, {(c.BreakGlass.Webhook is null ? "is recorded (no alert webhook is configured)" : "alerts the configured webhook")}, and every action under it is recorded.");
        sb.AppendLine();
        sb.AppendLine("Retrieval mirrors each source system's ACL (allowed users and groups, explicit denies); results are filtered by the caller's identity at query time, so a revoked permission holds from the next query on. Tenants have separate indexes and encryption keys.");
        return sb.ToString();
    }

    public static string IncidentResponse(IReadOnlyDictionary<string, long> counts)
    {
        var sb = new StringBuilder();
        sb.AppendLine("Attest classifies AI incident signals from its audit log and ships a playbook for each class.").AppendLine();
        SystemInventory.Table(sb, ["Class", "Severity", "Signals in period", "Detected by"],
            Playbooks.All.Select(pb => new[] { pb.Title, ControlTests.IncidentClasses.Severity(pb.IncidentClass),
                counts.GetValueOrDefault(pb.IncidentClass).ToString(CultureInfo.InvariantCulture), pb.Detection }));
        foreach (var pb in Playbooks.All)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"#### Playbook: {pb.Title}").AppendLine();
            var i = 1;
            foreach (var s in pb.Steps) sb.AppendLine(CultureInfo.InvariantCulture, $"{i++}. {s}");
            sb.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"Evidence: {pb.Evidence}.").AppendLine();
        }
        return sb.ToString();
    }
}
