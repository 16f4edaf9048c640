namespace Attest.Evidence.Artifacts;

/// <summary>A response playbook for one class of AI incident.</summary>
public sealed record Playbook(string IncidentClass, string Title, string Detection, IReadOnlyList<string> Steps, string Evidence);

/// <summary>The AI incident playbooks Attest ships. Each names how Attest detects the incident and what to do.</summary>
public static class Playbooks
{
    public static IReadOnlyList<Playbook> All { get; } =
    [
        new("model-outage", "Model provider outage",
            "chat.denied events with upstream codes; /admin/providers shows open circuits.",
            ["Confirm with /admin/providers which targets are open and since when.",
             "Fallback targets take over automatically; check the fallback provider is allowed the data classes in flight.",
             "If every target is down, announce degraded service; Attest answers 503 with a stable code, no partial data.",
             "After recovery, compare latency and error rates with the baseline and record the incident."],
            "audit events chat.denied (code upstream_unavailable), provider availability at the time"),
        new("retrieval-degradation", "Retrieval degradation",
            "retrieval.denied events, eval cases of a connector failing, empty result sets rising.",
            ["Run the connector's eval cases; compare with the last good run.",
             "Check recent ACL syncs and ingestion for the connector (document.ingested, acl.changed).",
             "Roll back the connector's config version if a change caused it (attest config rollback).",
             "Record the finding and re-run the eval cases."],
            "retrieval.query / retrieval.denied events, connector eval results"),
        new("unsafe-output", "Unsafe or invalid output",
            "guard and policy decisions blocking output (content rules, schema failures).",
            ["Find the responses by event id; the payload is encrypted, read it only with authorisation.",
             "Tighten the output schema or content rules for the agent; add the case to the eval set.",
             "If output reached a user, notify the owner of the feature and record the exposure."],
            "policy.decision / guard.finding events with decision block"),
        new("prompt-injection", "Prompt injection (direct or indirect)",
            "guard.finding events of type injection in input, retrieved or tool-result direction.",
            ["Identify the source: a user prompt, a document (connector, document id) or a tool result.",
             "Quarantine a poisoned document: delete it or remove its ACL (attest ingest / DELETE /v1/documents).",
             "Check that no tool call followed from the affected conversation (tool.call events for the agent).",
             "Add the sample to the injection evaluation set and record the incident."],
            "guard.finding events (injection), retrieval.query result ids, tool.call events"),
        new("data-leak", "Credential or system-prompt leak",
            "secret or canary findings in output or tool arguments (blocked by default).",
            ["Treat the credential as exposed even if blocked: rotate it at its issuer.",
             "Rotate the tenant's canary tokens and review the system prompt for embedded secrets.",
             "Trace the source (retrieved document, tool result, prompt) and remove the secret there.",
             "If anything reached a user, follow the breach notification procedure and record it."],
            "guard.finding events (secret, canary), chat.denied events"),
        new("excessive-agency", "Excessive agency (tool misuse)",
            "tool.denied events: tools outside the allow-list, arguments out of bounds, approvals missing or mismatched.",
            ["Review the agent's recent tool calls and approvals.",
             "Narrow the agent's allow-list or constraints; require approval for the tool.",
             "If a call ran under break-glass, review the break-glass session record."],
            "tool.denied, tool.call, approval.* and breakglass.* events"),
        new("cross-tenant-access", "Cross-tenant access attempt",
            "retrieval.denied events naming another tenant.",
            ["Identify the key and principal; revoke the key if the attempt was not a test.",
             "Confirm no result crossed tenants (retrieval.query result ids all belong to the caller's tenant).",
             "Record the incident and inform the affected tenant's owner if data was exposed."],
            "retrieval.denied events, key.revoked"),
    ];
}
