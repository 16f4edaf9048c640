using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Attest.Evidence.Catalog;
using Attest.Evidence.Model;

namespace Attest.Evidence.Export;

/// <summary>
/// OSCAL 1.2.1 documents: <c>assessment-results</c> for a report period and a
/// <c>component-definition</c> for Attest itself. UUIDs are derived from content (name-based), so the
/// same run writes the same document. SOC 2 criteria ids become OSCAL control ids in lower case.
/// </summary>
public static class OscalWriter
{
    public const string OscalVersion = "1.2.1";
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static string AssessmentResults(ReportBundle b)
    {
        var r = b.Run;
        var seed = $"{r.Inputs.Policy.ContentHash}|{r.Inputs.PeriodStart:O}|{r.Inputs.PeriodEnd:O}";
        var observations = new JsonArray();
        var obsIds = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var t in r.Tests)
        {
            var id = Uuid(seed, "obs", t.TestId);
            obsIds[t.TestId] = id;
            var evidence = new JsonArray(new JsonObject { ["description"] = $"Config version {r.Inputs.Policy.ContentHash}" });
            foreach (var e in t.Evidence.Take(25))
                evidence.Add(new JsonObject { ["href"] = $"#{e.Kind}-{Token(e.Reference.Split('\n')[0])}", ["description"] = $"{e.Kind}: {e.Reference.Split('\n')[0]}{(e.Description is null ? "" : " — " + e.Description.Split('\n')[0])}" });
            observations.Add(new JsonObject
            {
                ["uuid"] = id,
                ["title"] = $"{t.TestId}: {t.Title}",
                ["description"] = $"{t.Summary} Status: {MarkdownReport.Label(t.Status)}.",
                ["props"] = new JsonArray(new JsonObject { ["name"] = "attest-status", ["ns"] = "https://attest.dev/ns/oscal", ["value"] = Token(t.Status.ToString()) }),
                ["methods"] = new JsonArray("TEST"),
                ["types"] = new JsonArray(t.Status == ControlStatus.Fail ? "finding" : "control-objective"),
                ["relevant-evidence"] = evidence,
                ["collected"] = Time(t.CollectedAt),
                ["expires"] = Time(t.ExpiresAt),
            });
        }
        var findings = new JsonArray();
        var include = new JsonArray();
        foreach (var cr in r.Readiness.Criteria.Where(c => c.Criterion.Framework == "SOC 2" && c.Controls.Count > 0))
        {
            var controlId = cr.Criterion.Id.ToLowerInvariant();
            include.Add(new JsonObject { ["control-id"] = controlId });
            var related = new JsonArray();
            foreach (var test in r.Controls.Where(c => cr.Controls.Contains(c.Control.Id)).Select(c => c.Control.Test).Distinct())
                if (obsIds.TryGetValue(test, out var oid)) related.Add(new JsonObject { ["observation-uuid"] = oid });
            var finding = new JsonObject
            {
                ["uuid"] = Uuid(seed, "finding", controlId),
                ["title"] = $"{cr.Criterion.Id} {cr.Criterion.Title}",
                ["description"] = cr.Gaps.Count == 0 ? $"Controls {string.Join(", ", cr.Controls)} pass." : string.Join(" ", cr.Gaps),
                ["target"] = new JsonObject
                {
                    ["type"] = "objective-id",
                    ["target-id"] = controlId + "_obj",
                    ["status"] = new JsonObject
                    {
                        ["state"] = cr.Status == ReadinessStatus.Ready ? "satisfied" : "not-satisfied",
                        ["reason"] = Token(cr.Status.ToString().ToLowerInvariant()),
                    },
                },
            };
            if (related.Count > 0) finding["related-observations"] = related;
            findings.Add(finding);
        }
        var doc = new JsonObject
        {
            ["assessment-results"] = new JsonObject
            {
                ["uuid"] = Uuid(seed, "ar"),
                ["metadata"] = Metadata($"Attest automated assessment {b.PeriodText}", r.CollectedAt),
                ["import-ap"] = new JsonObject { ["href"] = "#attest-automated-assessment-plan", ["remarks"] = "Attest's control tests (docs/evidence.md) are the assessment plan." },
                ["results"] = new JsonArray(new JsonObject
                {
                    ["uuid"] = Uuid(seed, "result"),
                    ["title"] = $"Automated control tests {b.PeriodText}",
                    ["description"] = $"Computed by Attest from config version {r.Inputs.Policy.ContentHash} and {r.EventsRead} audit events.",
                    ["start"] = Time(r.Inputs.PeriodStart),
                    ["end"] = Time(r.Inputs.PeriodEnd),
                    ["reviewed-controls"] = new JsonObject
                    {
                        ["control-selections"] = new JsonArray(new JsonObject { ["description"] = "SOC 2 Trust Services Criteria that Attest's controls map to", ["include-controls"] = include }),
                    },
                    ["observations"] = observations,
                    ["findings"] = findings,
                }),
            },
        };
        return doc.ToJsonString(Indented);
    }

    public static string ComponentDefinition(ControlCatalog catalog, DateTimeOffset at)
    {
        var reqs = new JsonArray();
        foreach (var g in catalog.Controls.SelectMany(c => c.Soc2.Select(s => (Criterion: s, Control: c))).GroupBy(x => x.Criterion).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            reqs.Add(new JsonObject
            {
                ["uuid"] = Uuid("component", "req", g.Key),
                ["control-id"] = g.Key.ToLowerInvariant(),
                ["description"] = string.Join(" ", g.Select(x => $"{x.Control.Id} {x.Control.Title}: {x.Control.Implementation}")),
            });
        }
        var doc = new JsonObject
        {
            ["component-definition"] = new JsonObject
            {
                ["uuid"] = Uuid("component", "attest"),
                ["metadata"] = Metadata("Attest component definition", at),
                ["components"] = new JsonArray(new JsonObject
                {
                    ["uuid"] = Uuid("component", "attest-software"),
                    ["type"] = "software",
                    ["title"] = "Attest",
                    ["description"] = "Self-hosted control plane for AI features: gateway, guards, permission-aware retrieval, agent tool gate with approvals, tamper-evident audit log and evidence engine.",
                    ["purpose"] = "Enforce SOC 2-aligned controls on every AI request, retrieval and tool call and produce the evidence.",
                    ["control-implementations"] = new JsonArray(new JsonObject
                    {
                        ["uuid"] = Uuid("component", "impl-soc2"),
                        ["source"] = "#aicpa-tsc-2017",
                        ["description"] = "How Attest implements the SOC 2 Trust Services Criteria it maps to (criteria ids only; the criteria text belongs to its publisher).",
                        ["implemented-requirements"] = reqs,
                    }),
                }),
            },
        };
        return doc.ToJsonString(Indented);
    }

    private static JsonObject Metadata(string title, DateTimeOffset at) => new()
    {
        ["title"] = title,
        ["last-modified"] = Time(at),
        ["version"] = "1.0",
        ["oscal-version"] = OscalVersion,
    };

    private static string Time(DateTimeOffset t) => t.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Token(string s)
    {
        var t = new string([.. s.Select(c => char.IsLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '-')]);
        return t.Length == 0 || !(char.IsLetter(t[0]) || t[0] == '_') ? "_" + t : t;
    }

    /// <summary>A name-based UUID (version 5 layout over SHA-256) so reports are reproducible.</summary>
    public static string Uuid(params string[] parts)
    {
        var h = SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("\u001f", parts)));
        h[6] = (byte)((h[6] & 0x0F) | 0x50);
        h[8] = (byte)((h[8] & 0x3F) | 0x80);
        return new Guid(h.AsSpan(0, 16), bigEndian: true).ToString();
    }
}
