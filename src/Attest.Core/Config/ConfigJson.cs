using System.Collections;
using System.Globalization;
using System.Text.Json.Nodes;

namespace Attest.Core.Config;

/// <summary>
/// Turns the JSON-compatible values that <c>object</c> members hold after loading (JSON Schemas written
/// in YAML: <c>Dictionary&lt;string, object?&gt;</c>, <c>List&lt;object?&gt;</c>, string, long, double,
/// bool, null) into <see cref="JsonNode"/>. Thread-safe.
/// </summary>
public static class ConfigJson
{
    /// <summary>The value as a new JSON node (null for null). Throws <see cref="ArgumentException"/> for values JSON cannot hold.</summary>
    public static JsonNode? ToJsonNode(object? value) => value switch
    {
        null => null,
        JsonNode node => node.DeepClone(),
        string s => JsonValue.Create(s),
        bool b => JsonValue.Create(b),
        long l => JsonValue.Create(l),
        int i => JsonValue.Create(i),
        double d => JsonValue.Create(d),
        decimal m => JsonValue.Create(m),
        IDictionary dict => ToObject(dict),
        IEnumerable list => new JsonArray([.. list.Cast<object?>().Select(ToJsonNode)]),
        _ => throw new ArgumentException($"a config value of type {value.GetType().Name} has no JSON form", nameof(value)),
    };

    /// <summary>A schema or other mapping member as a <see cref="JsonObject"/> (null when absent).</summary>
    public static JsonObject? ToJsonObject(IReadOnlyDictionary<string, object?>? value) =>
        value is null ? null : (JsonObject)ToJsonNode(value as IDictionary ?? value.ToDictionary(k => k.Key, v => v.Value))!;

    private static JsonObject ToObject(IDictionary dict)
    {
        var o = new JsonObject();
        foreach (DictionaryEntry e in dict)
            o[Convert.ToString(e.Key, CultureInfo.InvariantCulture)!] = ToJsonNode(e.Value);
        return o;
    }
}
