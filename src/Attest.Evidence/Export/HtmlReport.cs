using System.Net;
using Markdig;

namespace Attest.Evidence.Export;

/// <summary>A self-contained, printable HTML report: inline CSS and SVG, no script, no external request.</summary>
public static class HtmlReport
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder().UsePipeTables().UseAutoIdentifiers().Build();

    private const string Css = """
        body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#1b1f23;line-height:1.45}
        h1{border-bottom:2px solid #1f6feb;padding-bottom:.3em}h2{margin-top:2em;border-bottom:1px solid #ddd}
        table{border-collapse:collapse;width:100%;margin:.5em 0 1.2em;font-size:.9em}th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}
        th{background:#f6f8fa}code{background:#f6f8fa;padding:1px 4px;border-radius:3px;font-size:.85em}
        .diagram{overflow-x:auto;border:1px solid #ddd;padding:8px}
        @media print{body{max-width:none}h2{page-break-before:always}table{page-break-inside:auto}tr{page-break-inside:avoid}}
        """;

    public static string Render(ReportBundle bundle)
    {
        var md = MarkdownReport.Render(bundle);
        var mermaid = "```mermaid\n" + bundle.DataFlowMermaid + "```";
        md = md.Replace(mermaid, "ATTEST-DATAFLOW-DIAGRAM", StringComparison.Ordinal);
        var body = Markdown.ToHtml(md, Pipeline)
            .Replace("<p>ATTEST-DATAFLOW-DIAGRAM</p>", $"<div class=\"diagram\">{bundle.DataFlowSvg}</div>", StringComparison.Ordinal)
            .Replace("<td>FAIL</td>", "<td style=\"color:#b42318;font-weight:bold\">FAIL</td>", StringComparison.Ordinal)
            .Replace("<td>GAP</td>", "<td style=\"color:#b42318;font-weight:bold\">GAP</td>", StringComparison.Ordinal)
            .Replace("<td>pass</td>", "<td style=\"color:#1a7f37\">pass</td>", StringComparison.Ordinal)
            .Replace("<td>ready</td>", "<td style=\"color:#1a7f37\">ready</td>", StringComparison.Ordinal);
        var title = WebUtility.HtmlEncode($"Attest evidence report {bundle.PeriodText}");
        return $"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title><style>{Css}</style></head><body>\n{body}\n</body></html>\n";
    }
}
