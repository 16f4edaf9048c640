using System.Text.Json.Nodes;

namespace Attest.Server.Providers;

/// <summary>Builds a JSON value that satisfies a JSON Schema's types and required fields, deterministically.</summary>
internal static class OfflineSchemaFill
{
    public static JsonNode? Fill(JsonNode? schema, string text, int depth = 0)
    {
        if (schema is not JsonObject s || depth > 8) return text;
        if (s["const"] is { } constant) return constant.DeepClone();
        if (s["enum"] is JsonArray { Count: > 0 } options) return options[0]?.DeepClone();
        if ((s["anyOf"] ?? s["oneOf"]) is JsonArray { Count: > 0 } alternatives) return Fill(alternatives[0], text, depth + 1);
        var type = s["type"] switch
        {
            JsonArray types => types.Select(t => t?.GetValue<string>()).FirstOrDefault(t => t != "null"),
            JsonValue v => v.GetValue<string>(),
            _ => s["properties"] is not null ? "object" : "string",
        };
        switch (type)
        {
            case "object":
                var result = new JsonObject();
                var properties = s["properties"] as JsonObject;
                var required = (s["required"] as JsonArray)?.Select(r => r?.GetValue<string>()).OfType<string>().ToList() ?? [];
                // Strict schemas list every property as required; fill required ones, or all when none are.
                var names = required.Count > 0 ? required : properties?.Select(p => p.Key).ToList() ?? [];
                foreach (var name in names) result[name] = Fill(properties?[name], text, depth + 1);
                return result;
            case "array":
                var minItems = s["minItems"]?.GetValue<int>() ?? 1;
                var array = new JsonArray();
                for (var i = 0; i < Math.Max(1, minItems); i++) array.Add(Fill(s["items"], text, depth + 1));
                return array;
            case "integer": return Math.Max(s["minimum"]?.GetValue<int>() ?? 0, Math.Min(s["maximum"]?.GetValue<int>() ?? int.MaxValue, OfflineText.CountTokens(text)));
            case "number": return Math.Max(s["minimum"]?.GetValue<double>() ?? 0, Math.Min(s["maximum"]?.GetValue<double>() ?? double.MaxValue, OfflineText.CountTokens(text)));
            case "boolean": return true;
            case "null": return null;
            default:
                var max = s["maxLength"]?.GetValue<int>() ?? int.MaxValue;
                return text.Length > max ? text[..max] : text;
        }
    }
}
