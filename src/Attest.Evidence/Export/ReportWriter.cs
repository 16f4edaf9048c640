using System.Security.Cryptography;
using System.Text;
using Attest.Evidence.Catalog;

namespace Attest.Evidence.Export;

/// <summary>Writes every export of a report into a folder and seals them in a signed evidence pack.</summary>
public static class ReportWriter
{
    /// <summary>Writes index.html, report.md, report.json, OSCAL documents, the data-flow diagram and evidence.zip. Returns the written paths.</summary>
    public static IReadOnlyList<string> Write(ReportBundle bundle, string outDir, ECDsa signingKey)
    {
        Directory.CreateDirectory(outDir);
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal)
        {
            ["index.html"] = Utf8(HtmlReport.Render(bundle)),
            ["report.md"] = Utf8(MarkdownReport.Render(bundle)),
            ["report.json"] = Utf8(JsonReport.Render(bundle)),
            ["oscal-assessment-results.json"] = Utf8(OscalWriter.AssessmentResults(bundle)),
            ["oscal-component-definition.json"] = Utf8(OscalWriter.ComponentDefinition(ControlCatalog.Default, bundle.Run.CollectedAt)),
            ["dataflow.mmd"] = Utf8(bundle.DataFlowMermaid),
            ["dataflow.svg"] = Utf8(bundle.DataFlowSvg),
        };
        var written = new List<string>();
        foreach (var (name, bytes) in files)
        {
            var path = Path.Combine(outDir, name);
            File.WriteAllBytes(path, bytes);
            written.Add(path);
        }
        var zip = Path.Combine(outDir, "evidence.zip");
        EvidencePack.Write(zip, files, signingKey, bundle.Run.CollectedAt, bundle.PeriodText);
        written.Add(zip);
        return written;
    }

    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);
}
