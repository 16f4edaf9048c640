using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Attest.Scanning.Model;
using Attest.Scanning.Rules;

namespace Attest.Scanning.Output;

/// <summary><c>--sarif</c>: SARIF 2.1.0, one run, every ATT-K8S rule in the driver, results pointing at file and line.</summary>
public static class SarifWriter
{
    public static string Write(ScanReport report)
    {
        var rules = RuleCatalog.All;
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, JsonReportWriter.Options))
        {
            w.WriteStartObject();
            w.WriteString("$schema", "https://json.schemastore.org/sarif-2.1.0.json");
            w.WriteString("version", "2.1.0");
            w.WriteStartArray("runs");
            w.WriteStartObject();
            w.WriteStartObject("tool");
            w.WriteStartObject("driver");
            w.WriteString("name", "Attest");
            w.WriteString("fullName", "Attest Kubernetes RBAC posture scan");
            w.WriteStartArray("rules");
            foreach (var r in rules) WriteRule(w, r);
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteString("columnKind", "unicodeCodePoints");
            w.WriteStartArray("results");
            foreach (var f in report.Findings) WriteResult(w, f, rules);
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    private static void WriteRule(Utf8JsonWriter w, RuleDefinition r)
    {
        w.WriteStartObject();
        w.WriteString("id", r.Id);
        w.WriteString("name", r.Name);
        Text(w, "shortDescription", r.Title);
        Text(w, "fullDescription", r.Description);
        Text(w, "help", r.Remediation);
        w.WriteStartObject("defaultConfiguration");
        w.WriteString("level", Level(r.Severity));
        w.WriteEndObject();
        w.WriteStartObject("properties");
        JsonReportWriter.Strings(w, "tags", ["security", .. r.Controls, .. r.Owasp]);
        w.WriteString("security-severity", SecuritySeverity(r.Severity));
        JsonReportWriter.Strings(w, "upstream", r.Upstream);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void WriteResult(Utf8JsonWriter w, Finding f, IReadOnlyList<RuleDefinition> rules)
    {
        w.WriteStartObject();
        w.WriteString("ruleId", f.RuleId);
        w.WriteNumber("ruleIndex", rules.ToList().FindIndex(r => r.Id == f.RuleId));
        w.WriteString("level", Level(f.Severity));
        Text(w, "message", f.Message);
        w.WriteStartArray("locations");
        w.WriteStartObject();
        Physical(w, f.Location);
        w.WriteEndObject();
        w.WriteEndArray();
        if (f.Related.Count > 0)
        {
            w.WriteStartArray("relatedLocations");
            for (var i = 0; i < f.Related.Count; i++)
            {
                w.WriteStartObject();
                w.WriteNumber("id", i + 1);
                Physical(w, f.Related[i].Location);
                Text(w, "message", f.Related[i].Message);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        w.WriteStartObject("partialFingerprints");
        w.WriteString("attestFinding/v1", Fingerprint(f));
        w.WriteEndObject();
        w.WriteStartObject("properties");
        w.WriteString("severity", f.Severity.ToString().ToLowerInvariant());
        w.WriteString("subject", f.Subject);
        if (f.Agent is not null) w.WriteString("agent", f.Agent);
        JsonReportWriter.Strings(w, "controls", f.Rule.Controls);
        if (f.Hops.Count > 0) JsonReportWriter.Strings(w, "hops", f.Hops.Select(h => $"{h.Step}) {h.Action}"));
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void Physical(Utf8JsonWriter w, SourceLocation at)
    {
        w.WriteStartObject("physicalLocation");
        w.WriteStartObject("artifactLocation");
        w.WriteString("uri", Uri(at.File));
        w.WriteEndObject();
        w.WriteStartObject("region");
        w.WriteNumber("startLine", Math.Max(1, at.Line));
        w.WriteNumber("startColumn", Math.Max(1, at.Column));
        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>File names become relative or absolute URI references; stdin becomes <c>stdin</c>.</summary>
    internal static string Uri(string file)
    {
        if (file == K8sSource.StdinName) return "stdin";
        var colon = file.IndexOf(':', StringComparison.Ordinal);
        if (colon > 0 && file.StartsWith("kubernetes-builtin:", StringComparison.Ordinal))
            return "kubernetes-builtin:" + string.Join('/', file[(colon + 1)..].Split('/').Select(System.Uri.EscapeDataString));
        return string.Join('/', file.Split('/').Select(System.Uri.EscapeDataString));
    }

    private static string Fingerprint(Finding f)
    {
        var bytes = SHA256.HashData(Encoding.UTF8.GetBytes($"{f.RuleId}\n{f.Subject}\n{f.Message}"));
        return Convert.ToHexStringLower(bytes)[..32];
    }

    private static void Text(Utf8JsonWriter w, string name, string text)
    {
        w.WriteStartObject(name);
        w.WriteString("text", text);
        w.WriteEndObject();
    }

    private static string Level(Severity s) => s switch
    {
        Severity.Critical or Severity.High => "error",
        Severity.Medium => "warning",
        _ => "note",
    };

    private static string SecuritySeverity(Severity s) => s switch
    {
        Severity.Critical => "9.5",
        Severity.High => "8.0",
        Severity.Medium => "5.5",
        Severity.Low => "3.0",
        _ => "0.0",
    };
}
