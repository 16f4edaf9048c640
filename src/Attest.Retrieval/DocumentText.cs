using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Attest.Retrieval;

/// <summary>Plain text and title from a file: txt and md as they are, html without tags, scripts or styles, json as its string values.</summary>
public static partial class DocumentText
{
    public static readonly IReadOnlyList<string> Extensions = [".txt", ".md", ".markdown", ".html", ".htm", ".json"];

    /// <summary>Extracts (title, text). Throws <see cref="RetrievalException"/> naming file, line and column for bad JSON or an unsupported type.</summary>
    public static (string Title, string Text) Extract(string path, string content)
    {
        var ext = Path.GetExtension(path).ToLowerInvariant();
        var name = Path.GetFileNameWithoutExtension(path);
        switch (ext)
        {
            case ".txt" or ".md" or ".markdown":
                return (MarkdownTitle().Match(content) is { Success: true } m ? m.Groups[1].Value.Trim() : name, content);
            case ".html" or ".htm":
                var title = HtmlTitle().Match(content) is { Success: true } t ? WebUtility.HtmlDecode(t.Groups[1].Value).Trim() : name;
                return (title, Html(content));
            case ".json":
                try
                {
                    using var doc = JsonDocument.Parse(content, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
                    var sb = new StringBuilder();
                    Strings(doc.RootElement, sb);
                    return (name, sb.ToString().Trim());
                }
                catch (JsonException e)
                {
                    throw new RetrievalException("invalid_json", $"{path}:{(e.LineNumber ?? 0) + 1}:{(e.BytePositionInLine ?? 0) + 1}: invalid JSON", path);
                }
            default:
                throw new RetrievalException("unsupported_file", $"{path}: unsupported file type '{ext}' (use {string.Join(", ", Extensions)})", path);
        }
    }

    public static string Html(string html)
    {
        var s = ScriptOrStyle().Replace(html, " ");
        s = Comment().Replace(s, " ");
        s = BlockTag().Replace(s, "\n");
        s = Tag().Replace(s, " ");
        s = WebUtility.HtmlDecode(s);
        return Spaces().Replace(s, " ").Trim();
    }

    private static void Strings(JsonElement e, StringBuilder sb)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.String: sb.Append(e.GetString()).Append('\n'); break;
            case JsonValueKind.Array: foreach (var i in e.EnumerateArray()) Strings(i, sb); break;
            case JsonValueKind.Object: foreach (var p in e.EnumerateObject()) Strings(p.Value, sb); break;
        }
    }

    [GeneratedRegex(@"<(script|style)\b[^>]*>.*?</\1\s*>", RegexOptions.IgnoreCase | RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex ScriptOrStyle();
    [GeneratedRegex(@"<!--.*?-->", RegexOptions.Singleline)]
    private static partial Regex Comment();
    [GeneratedRegex(@"</?(p|div|br|li|h[1-6]|tr|section|article)\b[^>]*>", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex BlockTag();
    [GeneratedRegex(@"<[^>]+>")]
    private static partial Regex Tag();
    [GeneratedRegex(@"[ \t\r\f\v]+")]
    private static partial Regex Spaces();
    [GeneratedRegex(@"<title[^>]*>(.*?)</title>", RegexOptions.IgnoreCase | RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex HtmlTitle();
    [GeneratedRegex(@"^#\s+(.+)$", RegexOptions.Multiline)]
    private static partial Regex MarkdownTitle();
}
