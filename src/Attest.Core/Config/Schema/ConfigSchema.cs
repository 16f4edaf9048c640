using System.Reflection;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using System.Text.Json.Serialization.Metadata;

namespace Attest.Core.Config;

/// <summary>
/// The JSON Schema of <c>attest.yaml</c>, generated from the config records (System.Text.Json's
/// <see cref="JsonSchemaExporter"/>, camelCase) with descriptions from their XML docs, defaults from the
/// records, closed vocabularies as <c>enum</c> and unknown keys refused. Published as
/// <c>docs/attest.schema.json</c>; a test keeps the file in sync. Thread-safe.
/// </summary>
public static class ConfigSchema
{
    /// <summary>Indented JSON text of the schema, ending with a newline.</summary>
    public static string Generate() => GenerateNode().ToJsonString(new JsonSerializerOptions
    {
        WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    }).ReplaceLineEndings("\n") + "\n";

    /// <summary>The schema as a node.</summary>
    public static JsonObject GenerateNode()
    {
        var options = new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, TypeInfoResolver = new DefaultJsonTypeInfoResolver() };
        var body = (JsonObject)options.GetJsonSchemaAsNode(typeof(AttestConfig), new JsonSchemaExporterOptions
        {
            TreatNullObliviousAsNonNullable = true,
            TransformSchemaNode = Transform,
        });
        var root = new JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["$id"] = "https://attest.dev/schema/attest.schema.json",
            ["title"] = "attest.yaml",
        };
        foreach (var (key, value) in body.ToList())
        {
            body.Remove(key);
            root[key] = value;
        }
        return root;
    }

    private static JsonNode Transform(JsonSchemaExporterContext context, JsonNode node)
    {
        if (node is not JsonObject schema) return node;
        var type = context.TypeInfo.Type;
        if (context.PropertyInfo?.AttributeProvider is PropertyInfo property)
        {
            if (XmlDocs.Of(property) is { } doc) schema["description"] = doc;
            var owner = property.DeclaringType!;
            if (ConfigVocabulary.For(owner, property.Name) is { } allowed)
            {
                var target = schema["items"] as JsonObject ?? schema;
                var values = new JsonArray([.. allowed.Select(v => (JsonNode)JsonValue.Create(v))]);
                if (target["type"] is JsonArray types && types.Any(t => t?.GetValue<string>() == "null")) values.Add(null);
                target["enum"] = values;
            }
            if (ConfigVocabulary.IsDuration(owner, property.Name)) schema["pattern"] = "^[0-9]+(s|m|h|d|w|mo|y)$";
            if (DefaultOf(owner, property) is { } def) schema["default"] = def;
        }
        else if (type.Namespace == typeof(AttestConfig).Namespace && XmlDocs.Of(type) is { } typeDoc && !schema.ContainsKey("description"))
        {
            schema["description"] = typeDoc;
        }
        if (schema.ContainsKey("properties") && ConfigBinder.IsRecordType(type)) schema["additionalProperties"] = false;
        return schema;
    }

    private static JsonNode? DefaultOf(Type owner, PropertyInfo property)
    {
        if (owner.GetConstructor(Type.EmptyTypes) is null) return null;
        var value = property.GetValue(Activator.CreateInstance(owner));
        return value switch
        {
            null => null,
            string { Length: 0 } => null,
            string or bool or int or long or double or decimal => ConfigJson.ToJsonNode(value),
            _ => null,
        };
    }
}
