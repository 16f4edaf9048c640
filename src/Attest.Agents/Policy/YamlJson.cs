using System.Collections;
using System.Globalization;
using System.Text.Json.Nodes;

namespace Attest.Agents.Policy;

/// <summary>
/// Turns a JSON Schema written in YAML (untyped maps whose scalars are all strings) into JSON.
/// Scalars are typed by the schema keyword that holds them, so <c>maximum: 100</c> becomes a number
/// while <c>enum: ["1"]</c> or <c>pattern</c> stay strings.
/// </summary>
public static class YamlJson
{
    private static readonly HashSet<string> NumberKeywords = new(StringComparer.Ordinal)
    {
        "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minLength", "maxLength",
        "minItems", "maxItems", "minProperties", "maxProperties", "minContains", "maxContains",
    };

    private static readonly HashSet<string> BoolKeywords = new(StringComparer.Ordinal)
    {
        "additionalProperties", "uniqueItems", "additionalItems", "nullable", "readOnly", "writeOnly", "deprecated",
    };

    public static JsonNode? ToJson(object? value, string? keyword = null)
    {
        switch (value)
        {
            case null: return null;
            case string s: return Scalar(s, keyword);
            case bool b: return JsonValue.Create(b);
            case int or long or double or decimal: return JsonValue.Create(Convert.ToDecimal(value, CultureInfo.InvariantCulture));
            case IDictionary map:
                var o = new JsonObject();
                foreach (DictionaryEntry e in map)
                {
                    var key = Convert.ToString(e.Key, CultureInfo.InvariantCulture) ?? "";
                    // Under "properties" the keys are argument names, and their values are schemas again.
                    o[key] = keyword is "properties" or "definitions" or "$defs" or "patternProperties"
                        ? ToJson(e.Value, null)
                        : ToJson(e.Value, key);
                }
                return o;
            case IEnumerable list:
                var a = new JsonArray();
                foreach (var item in list) a.Add(ToJson(item, keyword is "enum" or "required" or "type" ? keyword : null));
                return a;
            default: return JsonValue.Create(Convert.ToString(value, CultureInfo.InvariantCulture));
        }
    }

    private static JsonNode Scalar(string s, string? keyword)
    {
        if (keyword is not null && NumberKeywords.Contains(keyword) && decimal.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
            return JsonValue.Create(d);
        if (keyword is not null && (BoolKeywords.Contains(keyword) || keyword is "exclusiveMinimum" or "exclusiveMaximum") && bool.TryParse(s, out var b))
            return JsonValue.Create(b);
        return JsonValue.Create(s);
    }
}
