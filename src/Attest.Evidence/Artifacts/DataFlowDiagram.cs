using System.Globalization;
using System.Net;
using System.Text;
using Attest.Core.Config;

namespace Attest.Evidence.Artifacts;

/// <summary>
/// The data-flow diagram (ingestion → embedding → retrieval → generation → logging) with the PII
/// boundary and which data classes reach which subprocessor, as Mermaid source and as a
/// self-contained SVG (drawn here, so the evidence pack needs no renderer or network).
/// </summary>
public static class DataFlowDiagram
{
    private static readonly string[] Ranks = ["public", "internal", "confidential", "restricted"];

    private sealed record Node(string Id, string Label, int Column, int Row, bool External);

    private static (List<Node> Nodes, List<(string From, string To, string Label)> Edges) Build(PolicySnapshot p)
    {
        var nodes = new List<Node>();
        var edges = new List<(string, string, string)>();
        var r = 0;
        foreach (var c in p.Config.Connectors) nodes.Add(new Node("src_" + Safe(c.Id), $"{c.Id} ({c.Classification})", 0, r++, true));
        if (r == 0) nodes.Add(new Node("src_app", "Client apps", 0, r++, true));
        nodes.Add(new Node("ingest", "Ingestion + ACLs", 1, 0, false));
        nodes.Add(new Node("embed", "Embedding (hashed terms, vectors)", 1, 1, false));
        nodes.Add(new Node("index", "Per-tenant encrypted index", 1, 2, false));
        nodes.Add(new Node("retrieve", "Retrieval: ACL filter + indirect guards", 2, 0, false));
        nodes.Add(new Node("gateway", "Gateway: PII redaction, secrets, injection", 2, 1, false));
        nodes.Add(new Node("tools", "Tool gate + approvals", 2, 2, false));
        nodes.Add(new Node("audit", "Audit log (signed, encrypted payloads)", 3, 3, false));
        var pr = 0;
        foreach (var prov in p.Config.Providers)
            nodes.Add(new Node("prov_" + Safe(prov.Id), $"{prov.Id}: {prov.Subprocessor ?? prov.Type}", 4, pr++, prov.Type != "offline"));
        foreach (var c in p.Config.Connectors) edges.Add(("src_" + Safe(c.Id), "ingest", c.Classification ?? ""));
        if (p.Config.Connectors.Count == 0) edges.Add(("src_app", "gateway", "prompts"));
        edges.Add(("ingest", "embed", "chunks"));
        edges.Add(("embed", "index", "ciphertext"));
        edges.Add(("index", "retrieve", "candidates"));
        edges.Add(("retrieve", "gateway", "context"));
        edges.Add(("gateway", "tools", "tool calls"));
        foreach (var prov in p.Config.Providers)
        {
            var max = Array.IndexOf(Ranks, prov.MaxClassification);
            var classes = string.Join(", ", Ranks.Take(Math.Max(1, max + 1)));
            edges.Add(("gateway", "prov_" + Safe(prov.Id), (prov.Type == "offline" ? "" : "PII redacted; ") + classes));
        }
        edges.Add(("gateway", "audit", "events"));
        edges.Add(("retrieve", "audit", "query ids"));
        edges.Add(("tools", "audit", "calls, approvals"));
        return (nodes, edges);
    }

    public static string Mermaid(PolicySnapshot p)
    {
        var (nodes, edges) = Build(p);
        var sb = new StringBuilder("flowchart LR\n");
        foreach (var n in nodes.Where(n => n.Column == 0)) sb.Append(CultureInfo.InvariantCulture, $"  {n.Id}[\"{n.Label}\"]\n");
        sb.Append("  subgraph boundary [\"Attest trust boundary (PII boundary)\"]\n");
        foreach (var n in nodes.Where(n => n.Column is > 0 and < 4)) sb.Append(CultureInfo.InvariantCulture, $"    {n.Id}[\"{n.Label}\"]\n");
        sb.Append("  end\n");
        foreach (var n in nodes.Where(n => n.Column == 4)) sb.Append(CultureInfo.InvariantCulture, $"  {n.Id}[(\"{n.Label}\")]\n");
        foreach (var (f, t, l) in edges) sb.Append(CultureInfo.InvariantCulture, $"  {f} -->|\"{l}\"| {t}\n");
        return sb.ToString();
    }

    public static string Svg(PolicySnapshot p)
    {
        var (nodes, edges) = Build(p);
        const int w = 210, h = 54, gx = 70, gy = 34, pad = 30;
        (int X, int Y) Pos(Node n) => (pad + n.Column * (w + gx), pad + 30 + n.Row * (h + gy));
        var rows = nodes.Max(n => n.Row) + 1;
        var width = pad * 2 + 5 * w + 4 * gx;
        var height = pad * 2 + 40 + rows * (h + gy);
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\" font-size=\"11\">");
        sb.Append("<defs><marker id=\"a\" markerWidth=\"8\" markerHeight=\"8\" refX=\"7\" refY=\"4\" orient=\"auto\"><path d=\"M0,0 L8,4 L0,8 z\" fill=\"#555\"/></marker></defs>");
        var bx = pad + w + gx / 2;
        sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{bx}\" y=\"{pad}\" width=\"{3 * (w + gx)}\" height=\"{height - 2 * pad}\" fill=\"#f3f8ff\" stroke=\"#1f6feb\" stroke-dasharray=\"6 4\"/>");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{bx + 8}\" y=\"{pad + 16}\" fill=\"#1f6feb\" font-weight=\"bold\">Attest trust boundary — PII is redacted before data leaves it</text>");
        var byId = nodes.ToDictionary(n => n.Id);
        foreach (var (f, t, l) in edges)
        {
            var (x1, y1) = Pos(byId[f]);
            var (x2, y2) = Pos(byId[t]);
            var (sx, sy, ex, ey) = byId[f].Column == byId[t].Column ? (x1 + w / 2, y1 + h, x2 + w / 2, y2) : (x1 + w, y1 + h / 2, x2, y2 + h / 2);
            if (byId[t].Column < byId[f].Column) (sx, ex) = (x1, x2 + w);
            sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{sx}\" y1=\"{sy}\" x2=\"{ex}\" y2=\"{ey}\" stroke=\"#555\" marker-end=\"url(#a)\"/>");
            if (l.Length > 0) sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{(sx + ex) / 2}\" y=\"{(sy + ey) / 2 - 3}\" text-anchor=\"middle\" fill=\"#333\" font-size=\"9\">{WebUtility.HtmlEncode(l)}</text>");
        }
        foreach (var n in nodes)
        {
            var (x, y) = Pos(n);
            var fill = n.External ? "#fff4e5" : "#ffffff";
            sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"{h}\" rx=\"6\" fill=\"{fill}\" stroke=\"#333\"/>");
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{x + w / 2}\" y=\"{y + h / 2 + 4}\" text-anchor=\"middle\">{WebUtility.HtmlEncode(n.Label)}</text>");
        }
        sb.Append("</svg>");
        return sb.ToString();
    }

    private static string Safe(string id) => new([.. id.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_')]);
}
