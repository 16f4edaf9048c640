using Attest.Scanning.Model;

namespace Attest.Scanning.Reading;

/// <summary>Small accessors over YamlDotNet's representation model that keep source marks.</summary>
internal static class YamlNodes
{
    public static SourceLocation At(this YNode node, string file) => new(file, (int)node.Start.Line, (int)node.Start.Column);

    public static YNode? Get(this YMap map, string key) =>
        map.Children.TryGetValue(key, out var v) ? v : null;

    public static string? Str(this YMap map, string key, string file)
    {
        var node = map.Get(key);
        return node switch
        {
            null => null,
            YScalar s when IsNull(s) => null,
            YScalar s => s.Value,
            _ => throw new ManifestException(node.At(file), $"'{key}' must be a string"),
        };
    }

    public static bool? Bool(this YMap map, string key, string file)
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

    public static YMap? Map(this YMap map, string key, string file) => map.Get(key) switch
    {
        null => null,
        YScalar s when IsNull(s) => null,
        YMap m => m,
        var other => throw new ManifestException(other.At(file), $"'{key}' must be a mapping"),
    };

    public static YSeq? Seq(this YMap map, string key, string file) => map.Get(key) switch
    {
        null => null,
        YScalar s when IsNull(s) => null,
        YSeq q => q,
        var other => throw new ManifestException(other.At(file), $"'{key}' must be a list"),
    };

    public static IReadOnlyList<string> Strings(this YMap map, string key, string file)
    {
        var seq = map.Seq(key, file);
        if (seq is null) return [];
        var list = new List<string>(seq.Children.Count);
        foreach (var item in seq.Children)
        {
            if (item is not YScalar s) throw new ManifestException(item.At(file), $"'{key}' entries must be strings");
            list.Add(s.Value ?? "");
        }
        return list;
    }

    public static IReadOnlyDictionary<string, string> StringMap(this YMap? map, string key, string file)
    {
        var m = map?.Map(key, file);
        if (m is null) return EmptyMap;
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in m.Children)
        {
            if (v is YScalar vs) result[k] = vs.Value;
            else throw new ManifestException(v.At(file), $"'{key}.{k}' must be a string");
        }
        return result;
    }

    public static readonly IReadOnlyDictionary<string, string> EmptyMap = new SortedDictionary<string, string>(StringComparer.Ordinal);

    private static bool IsNull(YScalar s) =>
        s.Style == YamlDotNet.Core.ScalarStyle.Plain && (s.Value is null or "" or "~" or "null" or "Null" or "NULL");
}
