using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Attest.Core.Config;

/// <summary>Reads the summaries of an assembly's XML documentation file (built beside the assembly), for schema descriptions.</summary>
internal static partial class XmlDocs
{
    private static readonly Lazy<IReadOnlyDictionary<string, string>> Summaries = new(() => Load(typeof(AttestConfig).Assembly));

    public static string? Of(Type type) => Summaries.Value.GetValueOrDefault("T:" + type.FullName);

    public static string? Of(PropertyInfo property) =>
        Summaries.Value.GetValueOrDefault($"P:{property.DeclaringType!.FullName}.{property.Name}");

    private static Dictionary<string, string> Load(Assembly assembly)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var path = Path.ChangeExtension(assembly.Location, ".xml");
        if (string.IsNullOrEmpty(assembly.Location) || !File.Exists(path)) return result;
        foreach (var member in XDocument.Load(path).Descendants("member"))
        {
            if (member.Attribute("name")?.Value is not { } name || member.Element("summary") is not { } summary) continue;
            result[name] = Text(summary);
        }
        return result;
    }

    private static string Text(XElement element)
    {
        var sb = new StringBuilder();
        foreach (var node in element.Nodes())
        {
            switch (node)
            {
                case XText t: sb.Append(t.Value); break;
                case XElement { Name.LocalName: "see" or "seealso" } e:
                    var cref = e.Attribute("cref")?.Value ?? e.Attribute("langword")?.Value ?? "";
                    sb.Append(cref[(cref.LastIndexOf('.') + 1)..]);
                    break;
                case XElement e: sb.Append(Text(e)); break;
            }
        }
        return Whitespace().Replace(sb.ToString(), " ").Trim();
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
