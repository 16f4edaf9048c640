using System.Security.Cryptography;
using System.Text;
using Attest.Core.Audit;
using Attest.Core.Guards;

namespace Attest.Guards.Pipeline;

/// <summary>
/// Turns a guard decision into an audit record: finding types, rule ids, counts, a SHA-256 of the text and
/// keyed digests (HMAC) of each span — never the content, so low-entropy PII cannot be brute-forced back.
/// </summary>
internal sealed class GuardAuditor(IAuditLog audit, byte[] digestKey)
{
    public ValueTask<string> AppendAsync(string text, GuardContext context, GuardVerdict verdict, CancellationToken ct)
    {
        var id = context.Identity;
        var digests = new Dictionary<string, string>(StringComparer.Ordinal) { ["content"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text))) };
        for (int i = 0; i < verdict.Findings.Count && i < 64; i++)
        {
            var f = verdict.Findings[i];
            if (f.Start < 0 || f.Start + f.Length > text.Length) continue;
            digests[$"span.{i}"] = Convert.ToHexStringLower(HMACSHA256.HashData(digestKey, Encoding.UTF8.GetBytes(text.Substring(f.Start, f.Length))));
        }
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["direction"] = context.Direction.ToString().ToLowerInvariant(),
            ["finding_count"] = verdict.Findings.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["finding_types"] = string.Join(',', verdict.Findings.Select(f => f.Type).Distinct(StringComparer.Ordinal)),
            ["faulted"] = verdict.Faulted ? "true" : "false",
        };
        if (id.RequestId is { } r) attributes["request_id"] = r;
        if (context.Tool is { } t) attributes["tool"] = t;
        if (context.ConversationId is { } c) attributes["conversation"] = c;
        var record = new AuditRecord
        {
            Type = verdict.Findings.Count > 0 ? AuditEventTypes.GuardFinding : AuditEventTypes.PolicyDecision,
            Tenant = id.Tenant,
            Actor = new AuditActor { KeyId = id.KeyId, Principal = id.Principal, Agent = id.Agent, EndUser = id.EndUser },
            Subject = id.DataSubject,
            Decision = verdict.Action.ToString().ToLowerInvariant(),
            Reasons = verdict.Reasons,
            Digests = digests,
            Attributes = attributes,
        };
        return audit.AppendAsync(record, ct);
    }
}
