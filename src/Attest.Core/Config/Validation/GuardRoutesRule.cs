using System.Collections;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Attest.Core.Config;

/// <summary>
/// Guard policies name only declared model aliases (<c>guards[].models</c>, the routes they apply to), and an
/// <c>outputSchema</c> is a well-formed JSON Schema: known <c>type</c> names, <c>required</c> a list of names,
/// sub-schemas where schemas belong, non-negative integer bounds, numeric limits, compilable <c>pattern</c>s.
/// A bad schema would otherwise fail every request of the route closed at run time.
/// </summary>
public sealed class GuardRoutesRule : IConfigValidator
{
    private static readonly HashSet<string> Types = new(StringComparer.Ordinal) { "object", "array", "string", "number", "integer", "boolean", "null" };
    private static readonly HashSet<string> SchemaKeys = new(StringComparer.Ordinal) { "items", "additionalProperties", "additionalItems", "not", "contains", "propertyNames", "if", "then", "else" };
    private static readonly HashSet<string> SchemaMapKeys = new(StringComparer.Ordinal) { "properties", "patternProperties", "definitions", "$defs" };
    private static readonly HashSet<string> SchemaListKeys = new(StringComparer.Ordinal) { "allOf", "anyOf", "oneOf" };
    private static readonly HashSet<string> CountKeys = new(StringComparer.Ordinal) { "minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties" };
    private static readonly HashSet<string> NumberKeys = new(StringComparer.Ordinal) { "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf" };

    public void Validate(ConfigValidationContext context)
    {
        var aliases = context.Config.Models.Select(m => m.Alias).ToHashSet(StringComparer.Ordinal);
        foreach (var g in context.Config.Guards)
        {
            for (int i = 0; i < g.Models.Count; i++)
            {
                if (!aliases.Contains(g.Models[i])) context.Error(g, "models", $"guard policy '{g.Id}' applies to unknown model alias '{g.Models[i]}'", i);
            }
            if (g.OutputSchema is null) continue;
            foreach (var problem in Problems(g.OutputSchema, "").Take(5))
                context.Error(g, "outputSchema", $"guard policy '{g.Id}': outputSchema{problem}");
        }
    }

    /// <summary>What is wrong with a schema node, each prefixed with its path (e.g. <c>.properties.age: ...</c>).</summary>
    public static IEnumerable<string> Problems(object? schema, string path)
    {
        if (schema is bool || schema is string { } s && (s == "true" || s == "false")) yield break;
        if (schema is not IEnumerable map || Entries(map) is not { } entries)
        {
            yield return $"{path}: a schema must be a mapping (or true/false)";
            yield break;
        }
        foreach (var (key, value) in entries)
        {
            var at = $"{path}.{key}";
            if (key == "type")
            {
                var names = value is string one ? [one] : value is IList list ? list.Cast<object?>().Select(x => x as string).ToList() : [null];
                foreach (var n in names)
                {
                    if (n is null || !Types.Contains(n)) yield return $"{at}: '{n}' is not a JSON Schema type; use one of {string.Join(", ", Types)}";
                }
            }
            else if (key == "required" && (value is not IList req || req.Cast<object?>().Any(x => x is not string)))
                yield return $"{at}: must be a list of property names";
            else if (key == "enum" && value is not IList)
                yield return $"{at}: must be a list of values";
            else if (key == "pattern" && !IsRegex(value))
                yield return $"{at}: is not a valid regular expression";
            else if (CountKeys.Contains(key) && !(Number(value) is { } c && c >= 0 && c == Math.Floor(c)))
                yield return $"{at}: must be a non-negative integer";
            else if (NumberKeys.Contains(key) && Number(value) is null)
                yield return $"{at}: must be a number";
            else if (SchemaKeys.Contains(key))
            {
                foreach (var p in Problems(value, at)) yield return p;
            }
            else if (SchemaMapKeys.Contains(key))
            {
                if (value is not IEnumerable m || Entries(m) is not { } props) { yield return $"{at}: must map names to schemas"; continue; }
                foreach (var (name, sub) in props)
                    foreach (var p in Problems(sub, $"{at}.{name}")) yield return p;
            }
            else if (SchemaListKeys.Contains(key))
            {
                if (value is not IList l) { yield return $"{at}: must be a list of schemas"; continue; }
                for (int i = 0; i < l.Count; i++)
                    foreach (var p in Problems(l[i], $"{at}[{i}]")) yield return p;
            }
        }
    }

    private static List<(string Key, object? Value)>? Entries(IEnumerable map) => map switch
    {
        IEnumerable<KeyValuePair<string, object?>> kv => [.. kv.Select(e => (e.Key, e.Value))],
        IDictionary d => [.. d.Keys.Cast<object>().Select(k => (Convert.ToString(k, CultureInfo.InvariantCulture) ?? "", d[k]))],
        _ => null,
    };

    private static double? Number(object? value) => value switch
    {
        int i => i,
        long l => l,
        double d => d,
        decimal m => (double)m,
        string s when double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var x) => x,
        _ => null,
    };

    private static bool IsRegex(object? value)
    {
        if (value is not string pattern) return false;
        try { _ = new Regex(pattern, RegexOptions.None, TimeSpan.FromSeconds(1)); return true; }
        catch (ArgumentException) { return false; }
    }
}
