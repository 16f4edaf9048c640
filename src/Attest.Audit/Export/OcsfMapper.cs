using System.Text.Json.Nodes;
using Attest.Audit.Log;

namespace Attest.Audit.Export;

/// <summary>
/// Maps audit entries to OCSF 1.5 API Activity events (class_uid 6003, category 6 Application
/// Activity) for SIEMs; the mapping is documented in docs/audit.md §OCSF. Stateless and thread-safe.
/// </summary>
public static class OcsfMapper
{
    public const int ClassUid = 6003;

    public static JsonObject Map(AuditEntry e)
    {
        var activity = ActivityOf(e.Type);
        var failed = e.Decision is "deny" or "block" or "error" || e.Type.EndsWith(".denied", StringComparison.Ordinal);
        var user = e.Actor.EndUser ?? e.Actor.Principal ?? e.Actor.Admin;
        var o = new JsonObject
        {
            ["class_uid"] = ClassUid,
            ["class_name"] = "API Activity",
            ["category_uid"] = 6,
            ["category_name"] = "Application Activity",
            ["activity_id"] = activity.Id,
            ["activity_name"] = activity.Name,
            ["type_uid"] = ClassUid * 100 + activity.Id,
            ["time"] = e.Time.ToUnixTimeMilliseconds(),
            ["severity_id"] = failed ? 3 : 1,
            ["status_id"] = failed ? 2 : 1,
            ["status"] = failed ? "Failure" : "Success",
            ["message"] = e.Type,
            ["metadata"] = new JsonObject
            {
                ["version"] = "1.5.0",
                ["uid"] = e.Id,
                ["sequence"] = e.Sequence,
                ["tenant_uid"] = e.Tenant,
                ["product"] = new JsonObject { ["name"] = "Attest", ["vendor_name"] = "Attest" },
            },
            ["api"] = new JsonObject
            {
                ["operation"] = e.Type,
                ["service"] = new JsonObject { ["name"] = e.Model?.Provider ?? "attest" },
            },
            ["actor"] = new JsonObject
            {
                ["user"] = user is null ? null : new JsonObject { ["uid"] = user },
                ["app_name"] = e.Actor.Agent,
                ["authorizations"] = e.Decision is null ? null : new JsonArray(new JsonObject { ["decision"] = e.Decision, ["policy"] = new JsonObject { ["uid"] = string.Join(",", e.Reasons) } }),
            },
            ["unmapped"] = new JsonObject
            {
                ["data_class"] = e.DataClass,
                ["key_id"] = e.Actor.KeyId,
                ["model_alias"] = e.Model?.Alias,
                ["model_version"] = e.Model?.Version,
                ["input_tokens"] = e.InputTokens,
                ["output_tokens"] = e.OutputTokens,
                ["latency_us"] = e.LatencyMicros,
                ["digests"] = new JsonObject([.. e.Digests.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))]),
                ["attributes"] = new JsonObject([.. e.Attributes.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))]),
            },
        };
        return o;
    }

    /// <summary>OCSF activity: 1 Create, 2 Read, 3 Update, 4 Delete, 99 Other.</summary>
    private static (int Id, string Name) ActivityOf(string type) => type switch
    {
        "retrieval.query" or "export" => (2, "Read"),
        "config.applied" or "key.rotated" or "acl.changed" => (3, "Update"),
        "key.revoked" or "document.deleted" or "subject.forgotten" or "retention.purged" => (4, "Delete"),
        "chat.request" or "embeddings.request" or "tool.call" or "approval.requested" or "key.created" or "document.ingested" or "breakglass.started" => (1, "Create"),
        _ => (99, "Other"),
    };
}
