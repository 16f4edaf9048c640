using System.Globalization;
using System.Text.Json.Nodes;
using NJsonSchema;

namespace Attest.Guards.Schema;

/// <summary>A JSON Schema from the policy (written in YAML), compiled once per snapshot; validates structured output.</summary>
public sealed class OutputSchema
{
    private static readonly HashSet<string> StringKeys = new(StringComparer.Ordinal) { "type", "pattern", "format", "title", "description", "$ref", "$schema", "$id", "const" };
    private readonly JsonSchema _schema;

    private OutputSchema(JsonSchema schema) => _schema = schema;

    /// <summary>Compiles a schema from the YAML model; throws <see cref="FormatException"/> when it is not a valid schema.</summary>
    public static OutputSchema Compile(IReadOnlyDictionary<string, object?> yaml)
    {
        var json = ToJson(yaml, null)!.ToJsonString();
        try { return new OutputSchema(JsonSchema.FromJsonAsync(json).GetAwaiter().GetResult()); }
        catch (Exception e) when (e is not OutOfMemoryException) { throw new FormatException("output schema is not a valid JSON Schema", e); }
    }

    /// <summary>Validates <paramref name="text"/>; returns the first error kind (e.g. <c>invalid_json</c>, <c>PropertyRequired</c>) or null when valid.</summary>
    public string? Validate(string text)
    {
        try
        {
            var errors = _schema.Validate(text);
            return errors.Count == 0 ? null : errors.First().Kind.ToString();
        }
        catch (Newtonsoft.Json.JsonException)
        {
            return "invalid_json";
        }
    }

    private static JsonNode? ToJson(object? value, string? key) => value switch
    {
        null => null,
        IDictionary<object, object?> d => new JsonObject(d.Select(kv => KeyValuePair.Create(kv.Key.ToString()!, ToJson(kv.Value, kv.Key.ToString())))),
        IReadOnlyDictionary<string, object?> d => new JsonObject(d.Select(kv => KeyValuePair.Create(kv.Key, ToJson(kv.Value, kv.Key)))),
        IEnumerable<object?> l when value is not string => new JsonArray([.. l.Select(x => ToJson(x, key == "required" ? "type" : key))]),
        string s when key is not null && StringKeys.Contains(key) => JsonValue.Create(s),
        string s when long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) => JsonValue.Create(n),
        string s when double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var x) => JsonValue.Create(x),
        string s when s is "true" or "false" => JsonValue.Create(s == "true"),
        string s => JsonValue.Create(s),
        bool b => JsonValue.Create(b),
        int i => JsonValue.Create(i),
        long l => JsonValue.Create(l),
        double x => JsonValue.Create(x),
        _ => JsonValue.Create(value.ToString()),
    };
}
