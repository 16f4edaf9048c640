using System.Text;
using System.Text.Json;
using Attest.Scanning.Model;
using Attest.Scanning.Rules;

namespace Attest.Scanning.Output;

/// <summary><c>--json</c>: the whole report (findings, effective permissions, agents, notes), stable key and item order.</summary>
public static class JsonReportWriter
{
    // Relaxed escaping keeps names such as <stdin> readable; the output is a file or a terminal, never HTML.
    internal static readonly JsonWriterOptions Options = new() { Indented = true, NewLine = "\n", Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Write(ScanReport report)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, Options))
        {
            w.WriteStartObject();
            w.WriteString("tool", "attest scan k8s");
            w.WriteNumber("schemaVersion", 1);
            w.WriteStartObject("summary");
            w.WriteNumber("sources", report.Sources);
            w.WriteNumber("objects", report.Objects);
            w.WriteNumber("ignoredObjects", report.IgnoredObjects);
            w.WriteNumber("subjects", report.Subjects.Count);
            w.WriteNumber("findings", report.Findings.Count);
            w.WriteStartObject("bySeverity");
            foreach (var (s, n) in report.BySeverity) w.WriteNumber(s.ToString().ToLowerInvariant(), n);
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteStartArray("findings");
            foreach (var f in report.Findings) WriteFinding(w, f);
            w.WriteEndArray();
            w.WriteStartArray("subjects");
            foreach (var s in report.Subjects)
            {
                w.WriteStartObject();
                w.WriteString("subject", s.Subject);
                w.WriteStartArray("permissions");
                foreach (var p in s.Permissions)
                {
                    w.WriteStartObject();
                    w.WriteString("scope", p.Scope);
                    w.WriteString("rule", p.Rule);
                    w.WriteString("binding", p.Binding);
                    w.WriteString("role", p.Role);
                    if (p.ViaGroup is not null) w.WriteString("viaGroup", p.ViaGroup);
                    w.WriteString("location", p.Location);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("agents");
            foreach (var a in report.Agents)
            {
                w.WriteStartObject();
                w.WriteString("id", a.Id);
                Strings(w, "serviceAccounts", a.ServiceAccounts);
                Strings(w, "declaredPermissions", a.Declared);
                w.WriteString("declaredIn", a.DeclaredIn);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            Strings(w, "notes", report.Notes);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    private static void WriteFinding(Utf8JsonWriter w, Finding f)
    {
        var rule = f.Rule;
        w.WriteStartObject();
        w.WriteString("ruleId", f.RuleId);
        w.WriteString("title", rule.Title);
        w.WriteString("severity", f.Severity.ToString().ToLowerInvariant());
        w.WriteString("subject", f.Subject);
        if (f.Agent is not null) w.WriteString("agent", f.Agent);
        w.WriteString("message", f.Message);
        Location(w, "location", f.Location);
        w.WriteStartArray("related");
        foreach (var r in f.Related)
        {
            w.WriteStartObject();
            Location(w, "location", r.Location);
            w.WriteString("message", r.Message);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        if (f.Hops.Count > 0)
        {
            w.WriteStartArray("hops");
            foreach (var h in f.Hops)
            {
                w.WriteStartObject();
                w.WriteNumber("step", h.Step);
                w.WriteString("from", h.From);
                w.WriteString("action", h.Action);
                w.WriteString("to", h.To);
                Location(w, "location", h.Location);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        Strings(w, "controls", rule.Controls);
        Strings(w, "owasp", rule.Owasp);
        Strings(w, "upstream", rule.Upstream);
        w.WriteString("remediation", rule.Remediation);
        w.WriteEndObject();
    }

    private static void Location(Utf8JsonWriter w, string name, SourceLocation at)
    {
        w.WriteStartObject(name);
        w.WriteString("file", at.File);
        w.WriteNumber("line", at.Line);
        w.WriteNumber("column", at.Column);
        w.WriteEndObject();
    }

    internal static void Strings(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values) w.WriteStringValue(v);
        w.WriteEndArray();
    }
}
