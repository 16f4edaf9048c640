using System.Collections;
using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Attest.Core.Config;

/// <summary>
/// Binds YAML nodes to the config records by reflection (camelCase keys, init properties), recording
/// each node's position in a <see cref="SourceMap"/>. Unknown keys and wrong types become errors; a
/// property added to a record is picked up with no change here.
/// </summary>
internal sealed class ConfigBinder(string file, SourceMap map, List<ConfigError> errors)
{
    private static readonly ConcurrentDictionary<Type, Dictionary<string, PropertyInfo>> PropertyCache = new();

    public static ConfigLocation At(YamlNode node) => new((int)node.Start.Line, (int)node.Start.Column);

    public static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any } s && s.Tag.IsEmpty && IsNullWord(s.Value);

    public static Dictionary<string, PropertyInfo> PropertiesOf(Type type) => PropertyCache.GetOrAdd(type, t =>
        t.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite && p.GetIndexParameters().Length == 0)
            .ToDictionary(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name), StringComparer.Ordinal));

    public static bool IsRecordType(Type t) =>
        t.IsClass && t != typeof(string) && t != typeof(object) && !typeof(IEnumerable).IsAssignableFrom(t);

    public object? BindRecord(YamlNode node, Type type, string path)
    {
        if (node is not YamlMappingNode mapping)
        {
            Error(node, type == typeof(SecretRef)
                ? $"'{path}' is a literal secret: give a reference ({{env: NAME}} or {{file: PATH}}), never the secret itself"
                : $"'{Display(path)}' must be a mapping (key: value)");
            return null;
        }
        var instance = Activator.CreateInstance(type)!;
        map.Add(instance, "", At(mapping));
        var properties = PropertiesOf(type);
        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            var key = (keyNode as YamlScalarNode)?.Value;
            if (key is null) { Error(keyNode, $"keys in '{Display(path)}' must be plain names"); continue; }
            var childPath = path.Length == 0 ? key : $"{path}.{key}";
            if (!properties.TryGetValue(key, out var property))
            {
                var hint = Suggest(key, properties.Keys);
                Error(keyNode, $"unknown key '{key}'{(path.Length == 0 ? "" : $" in '{path}'")}{(hint is null ? "" : $" (did you mean '{hint}'?)")}");
                continue;
            }
            map.Add(instance, key, At(valueNode));
            var value = Bind(valueNode, property.PropertyType, childPath, instance, key, out var ok);
            if (ok) property.SetValue(instance, value);
        }
        return instance;
    }

    private object? Bind(YamlNode node, Type type, string path, object owner, string member, out bool ok)
    {
        ok = true;
        var underlying = Nullable.GetUnderlyingType(type);
        if (IsNull(node))
        {
            if (underlying is not null || type == typeof(object)) return null;
            if (!type.IsValueType) { ok = false; return null; } // keep the default (empty list, default text)
            ok = Fail(node, path, type);
            return null;
        }
        type = underlying ?? type;
        if (type == typeof(object)) return PlainValue(node, path);
        if (TryScalarType(type)) return ParseScalar(node, type, path, out ok);
        if (ListElementType(type) is { } element)
        {
            if (node is not YamlSequenceNode seq) { ok = Fail(node, path, type); return null; }
            var list = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(element))!;
            for (int i = 0; i < seq.Children.Count; i++)
            {
                var child = seq.Children[i];
                map.Add(owner, $"{member}[{i}]", At(child));
                var v = Bind(child, element, $"{path}[{i}]", list, i.ToString(CultureInfo.InvariantCulture), out var itemOk);
                if (itemOk) list.Add(v);
            }
            if (!type.IsArray) return list;
            var array = Array.CreateInstance(element, list.Count);
            list.CopyTo(array, 0);
            return array;
        }
        if (DictionaryValueType(type) is { } valueType)
        {
            if (node is not YamlMappingNode m) { ok = Fail(node, path, type); return null; }
            var dict = (IDictionary)Activator.CreateInstance(typeof(Dictionary<,>).MakeGenericType(typeof(string), valueType), StringComparer.Ordinal)!;
            foreach (var (k, v) in m.Children)
            {
                var key = (k as YamlScalarNode)?.Value ?? "";
                map.Add(dict, key, At(v));
                map.Add(owner, $"{member}.{key}", At(v));
                var value = Bind(v, valueType, $"{path}.{key}", dict, key, out var entryOk);
                if (entryOk) dict[key] = value;
            }
            return dict;
        }
        if (IsRecordType(type))
        {
            var record = BindRecord(node, type, path);
            ok = record is not null;
            return record;
        }
        Error(node, $"'{Display(path)}' has a type the loader does not support ({type.Name})");
        ok = false;
        return null;
    }

    private object? ParseScalar(YamlNode node, Type type, string path, out bool ok)
    {
        ok = false;
        if (node is not YamlScalarNode { Value: { } text }) { Fail(node, path, type); return null; }
        var inv = CultureInfo.InvariantCulture;
        object? value = null;
        if (type == typeof(string)) value = text;
        else if (type == typeof(int) && int.TryParse(text, NumberStyles.Integer, inv, out var i)) value = i;
        else if (type == typeof(long) && long.TryParse(text, NumberStyles.Integer, inv, out var l)) value = l;
        else if (type == typeof(decimal) && decimal.TryParse(text, NumberStyles.Float, inv, out var m)) value = m;
        else if (type == typeof(double) && double.TryParse(text, NumberStyles.Float, inv, out var d) && double.IsFinite(d)) value = d;
        else if (type == typeof(bool) && TryBool(text, out var b)) value = b;
        else if (type == typeof(DateTimeOffset) && DateTimeOffset.TryParse(text, inv, DateTimeStyles.AssumeUniversal, out var t)) value = t;
        if (value is null) { Fail(node, path, type); return null; }
        ok = true;
        return value;
    }

    /// <summary>JSON-compatible value for <c>object</c> members (JSON Schemas written in YAML).</summary>
    private object? PlainValue(YamlNode node, string path)
    {
        switch (node)
        {
            case YamlMappingNode m:
                var dict = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (var (k, v) in m.Children)
                {
                    if (k is not YamlScalarNode { Value: { } key }) { Error(k, $"keys in '{Display(path)}' must be plain names"); continue; }
                    dict[key] = PlainValue(v, $"{path}.{key}");
                }
                return dict;
            case YamlSequenceNode s:
                return s.Children.Select((c, i) => PlainValue(c, $"{path}[{i}]")).ToList();
            case YamlScalarNode sc:
                return PlainScalar(sc);
            default:
                return null;
        }
    }

    internal static object? PlainScalar(YamlScalarNode node)
    {
        var text = node.Value ?? "";
        if (node.Style is not (ScalarStyle.Plain or ScalarStyle.Any) || !node.Tag.IsEmpty && node.Tag.Value.EndsWith(":str", StringComparison.Ordinal)) return text;
        if (IsNullWord(text)) return null;
        if (TryBool(text, out var b)) return b;
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l)) return l;
        if (text.Length > 0 && (char.IsAsciiDigit(text[0]) || text[0] is '-' or '+' or '.') &&
            double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d)) return d;
        return text;
    }

    private static bool IsNullWord(string? s) => s is null or "" or "~" or "null" or "Null" or "NULL";

    private static bool TryBool(string s, out bool value)
    {
        value = s is "true" or "True" or "TRUE";
        return value || s is "false" or "False" or "FALSE";
    }

    private static bool TryScalarType(Type t) =>
        t == typeof(string) || t == typeof(int) || t == typeof(long) || t == typeof(decimal) || t == typeof(double) || t == typeof(bool) || t == typeof(DateTimeOffset);

    internal static Type? ListElementType(Type t)
    {
        if (t.IsArray) return t.GetElementType();
        if (!t.IsGenericType) return null;
        var def = t.GetGenericTypeDefinition();
        return def == typeof(IReadOnlyList<>) || def == typeof(IReadOnlyCollection<>) || def == typeof(IEnumerable<>) ||
               def == typeof(List<>) || def == typeof(IList<>) || def == typeof(ICollection<>)
            ? t.GetGenericArguments()[0] : null;
    }

    internal static Type? DictionaryValueType(Type t)
    {
        if (!t.IsGenericType) return null;
        var def = t.GetGenericTypeDefinition();
        var args = t.GetGenericArguments();
        return (def == typeof(IReadOnlyDictionary<,>) || def == typeof(Dictionary<,>) || def == typeof(IDictionary<,>)) && args[0] == typeof(string)
            ? args[1] : null;
    }

    private bool Fail(YamlNode node, string path, Type type)
    {
        Error(node, type == typeof(SecretRef)
            ? $"'{path}' is a literal secret: give a reference ({{env: NAME}} or {{file: PATH}}), never the secret itself"
            : $"'{Display(path)}' must be {Describe(type)}");
        return false;
    }

    internal static string Describe(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(string)) return "a string";
        if (type == typeof(int) || type == typeof(long)) return "a whole number";
        if (type == typeof(decimal) || type == typeof(double)) return "a number";
        if (type == typeof(bool)) return "true or false";
        if (type == typeof(DateTimeOffset)) return "an ISO-8601 date-time";
        if (ListElementType(type) is not null) return "a list";
        return "a mapping (key: value)";
    }

    private static string Display(string path) => path.Length == 0 ? "(file)" : path;

    private void Error(YamlNode node, string message) =>
        errors.Add(new ConfigError(file, (int)node.Start.Line, (int)node.Start.Column, message));

    private static string? Suggest(string key, IEnumerable<string> candidates) =>
        candidates.Select(c => (c, d: Distance(key.ToLowerInvariant(), c.ToLowerInvariant())))
            .Where(x => x.d <= Math.Max(2, key.Length / 3)).OrderBy(x => x.d).Select(x => x.c).FirstOrDefault();

    private static int Distance(string a, string b)
    {
        var prev = new int[b.Length + 1];
        var cur = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) prev[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            for (int j = 1; j <= b.Length; j++)
                cur[j] = Math.Min(Math.Min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (prev, cur) = (cur, prev);
        }
        return prev[b.Length];
    }
}
