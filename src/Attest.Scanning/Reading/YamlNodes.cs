using Attest.Scanning.Model;
using YamlDotNet.RepresentationModel;

namespace Attest.Scanning.Reading;

/// <summary>Small accessors over YamlDotNet's representation model that keep source marks.</summary>
internal static class YamlNodes
{
    public static SourceLocation At(this YamlNode node, string file) => new(file, (int)node.Start.Line, (int)node.Start.Column);

    public static YamlNode? Get(this YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var v) ? v : null;

    public static string? Str(this YamlMappingNode map, string key, string file)
    {
        var node = map.Get(key);
        return node switch
        {
            null => null,
            YamlScalarNode s when IsNull(s) => null,
            YamlScalarNode s => s.Value,
            _ => throw new ManifestException(node.At(file), $"'{key}' must be a string"),
        };
    }

    public static bool? Bool(this YamlMappingNode map, string key, string file)
    {
        var value = map.Str(key, file);
        if (value is null) return null;
        return value.ToLowerInvariant() switch
        {
            "true" => true,
            "false" => false,
            _ => throw new ManifestException(map.Get(key)!.At(file), $"'{key}' must be true or false, not '{value}'"),
        };
    }

    public static YamlMappingNode? Map(this YamlMappingNode map, string key, string file) => map.Get(key) switch
    {
        null => null,
        YamlScalarNode s when IsNull(s) => null,
        YamlMappingNode m => m,
        var other => throw new ManifestException(other.At(file), $"'{key}' must be a mapping"),
    };

    public static YamlSequenceNode? Seq(this YamlMappingNode map, string key, string file) => map.Get(key) switch
    {
        null => null,
        YamlScalarNode s when IsNull(s) => null,
        YamlSequenceNode q => q,
        var other => throw new ManifestException(other.At(file), $"'{key}' must be a list"),
    };

    public static IReadOnlyList<string> Strings(this YamlMappingNode map, string key, string file)
    {
        var seq = map.Seq(key, file);
        if (seq is null) return [];
        var list = new List<string>(seq.Children.Count);
        foreach (var item in seq.Children)
        {
            if (item is not YamlScalarNode s) throw new ManifestException(item.At(file), $"'{key}' entries must be strings");
            list.Add(s.Value ?? "");
        }
        return list;
    }

    public static IReadOnlyDictionary<string, string> StringMap(this YamlMappingNode? map, string key, string file)
    {
        var m = map?.Map(key, file);
        if (m is null) return EmptyMap;
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in m.Children)
        {
            if (k is YamlScalarNode ks && v is YamlScalarNode vs) result[ks.Value ?? ""] = vs.Value ?? "";
            else throw new ManifestException(k.At(file), $"'{key}' must map strings to strings");
        }
        return result;
    }

    public static readonly IReadOnlyDictionary<string, string> EmptyMap = new SortedDictionary<string, string>(StringComparer.Ordinal);

    private static bool IsNull(YamlScalarNode s) =>
        s.Style == YamlDotNet.Core.ScalarStyle.Plain && (s.Value is null or "" or "~" or "null" or "Null" or "NULL");
}
