using System.Text;
using System.Text.Json.Nodes;

namespace Attest.Core.Config;

/// <summary>
/// The configuration reference in Markdown, generated from <see cref="ConfigSchema"/>: one table per
/// top-level section listing every key path with its type, default, allowed values and description.
/// It is the generated part of <c>docs/configuration.md</c>, kept in sync by a test. Thread-safe.
/// </summary>
public static class ConfigReference
{
    /// <summary>Marks the start of the generated block in docs/configuration.md.</summary>
    public const string BeginMarker = "<!-- BEGIN GENERATED REFERENCE (attest config schema --markdown) -->";
    /// <summary>Marks the end of the generated block.</summary>
    public const string EndMarker = "<!-- END GENERATED REFERENCE -->";

    public static string Generate()
    {
        var schema = ConfigSchema.GenerateNode();
        var sb = new StringBuilder();
        sb.Append(BeginMarker).Append('\n');
        var top = (JsonObject)schema["properties"]!;
        var scalars = top.Where(p => !IsContainer(p.Value)).ToList();
        if (scalars.Count > 0)
        {
            sb.Append("\n### Top level\n\n");
            Header(sb);
            foreach (var (name, node) in scalars) Row(sb, name, (JsonObject)node!);
        }
        foreach (var (name, node) in top.Where(p => IsContainer(p.Value)))
        {
            var section = (JsonObject)node!;
            sb.Append("\n### `").Append(name).Append("`\n\n");
            if (Description(section) is { Length: > 0 } d) sb.Append(d).Append("\n\n");
            Header(sb);
            Walk(sb, name, section);
        }
        sb.Append('\n').Append(EndMarker).Append('\n');
        return sb.ToString();
    }

    private static void Walk(StringBuilder sb, string path, JsonObject schema)
    {
        Row(sb, path, schema);
        if (schema["items"] is JsonObject items && items["properties"] is JsonObject)
        {
            foreach (var (name, child) in (JsonObject)items["properties"]!) Walk(sb, $"{path}[].{name}", (JsonObject)child!);
        }
        else if (schema["properties"] is JsonObject props)
        {
            foreach (var (name, child) in props) Walk(sb, $"{path}.{name}", (JsonObject)child!);
        }
        else if (schema["additionalProperties"] is JsonObject values && values["properties"] is JsonObject)
        {
            Walk(sb, $"{path}.<name>", values);
        }
    }

    private static void Header(StringBuilder sb) => sb.Append("| Key | Type | Default | Description |\n|---|---|---|---|\n");

    private static void Row(StringBuilder sb, string path, JsonObject schema)
    {
        var description = Description(schema) ?? "";
        if (schema["enum"] is JsonArray values)
            description = (description + " One of: " + string.Join(", ", values.Where(v => v is not null).Select(v => $"`{v}`")) + ".").Trim();
        if (schema["pattern"] is JsonValue pattern) description = (description + $" Pattern `{pattern}`.").Trim();
        sb.Append("| `").Append(path).Append("` | ").Append(TypeOf(schema)).Append(" | ")
            .Append(schema["default"] is { } def ? $"`{def.ToJsonString()}`" : "").Append(" | ")
            .Append(description.Replace("|", "\\|", StringComparison.Ordinal)).Append(" |\n");
    }

    private static string? Description(JsonObject schema) => schema["description"]?.GetValue<string>();

    private static bool IsContainer(JsonNode? node) => node is JsonObject o && (o["properties"] is not null || o["items"] is JsonObject { } i && i["properties"] is not null);

    private static string TypeOf(JsonObject schema)
    {
        var types = schema["type"] switch
        {
            JsonArray a => a.Select(t => t!.GetValue<string>()).Where(t => t != "null").ToList(),
            JsonValue v => [v.GetValue<string>()],
            _ => ["any"],
        };
        var text = string.Join(" or ", types);
        if (types.Contains("array") && schema["items"] is JsonObject items) text = $"list of {TypeOf(items)}";
        if (types.Contains("object") && schema["properties"] is null && schema["additionalProperties"] is JsonObject values) text = $"map of {TypeOf(values)}";
        return text;
    }
}
