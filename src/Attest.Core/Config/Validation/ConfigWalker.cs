using System.Collections;
using System.Reflection;

namespace Attest.Core.Config;

/// <summary>One member of a config record found by <see cref="ConfigWalker"/>, with a readable path such as <c>connectors[1].retention</c>.</summary>
public readonly record struct ConfigMember(object Owner, PropertyInfo Property, object? Value, string Path)
{
    /// <summary>The key as written in YAML (camelCase).</summary>
    public string Key => System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(Property.Name);
}

/// <summary>Visits every member of every record in a config (depth first), for rules that apply to all members of a kind.</summary>
public static class ConfigWalker
{
    public static IEnumerable<ConfigMember> Members(object root) => Walk(root, "");

    private static IEnumerable<ConfigMember> Walk(object record, string path)
    {
        foreach (var (key, property) in ConfigBinder.PropertiesOf(record.GetType()))
        {
            var value = property.GetValue(record);
            var childPath = path.Length == 0 ? key : $"{path}.{key}";
            yield return new ConfigMember(record, property, value, childPath);
            foreach (var (child, p) in Children(value, childPath))
                foreach (var m in Walk(child, p)) yield return m;
        }
    }

    private static IEnumerable<(object, string)> Children(object? value, string path)
    {
        switch (value)
        {
            case null or string: yield break;
            case IDictionary dict:
                foreach (DictionaryEntry e in dict)
                    if (e.Value is { } v && ConfigBinder.IsRecordType(v.GetType())) yield return (v, $"{path}.{e.Key}");
                break;
            case IEnumerable list:
                int i = 0;
                foreach (var item in list)
                {
                    if (item is not null && ConfigBinder.IsRecordType(item.GetType())) yield return (item, $"{path}[{i}]");
                    i++;
                }
                break;
            default:
                if (ConfigBinder.IsRecordType(value.GetType()) && value.GetType().Namespace == typeof(AttestConfig).Namespace) yield return (value, path);
                break;
        }
    }
}
