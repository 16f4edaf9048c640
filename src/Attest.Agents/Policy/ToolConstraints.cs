using System.Globalization;
using System.Text.Json;
using Attest.Core.Config;

namespace Attest.Agents.Policy;

/// <summary>Checks arguments against <see cref="ToolConstraintsConfig"/>: path prefixes, maximum values, allowed URL hosts.</summary>
public static class ToolConstraints
{
    /// <summary>Returns null when every constraint holds, else (argument, message) of the first violation.</summary>
    public static (string Param, string Message)? Check(JsonElement args, ToolConstraintsConfig? c)
    {
        if (c is null) return null;
        foreach (var name in c.PathArguments)
        {
            foreach (var value in Values(args, name))
            {
                if (value.ValueKind != JsonValueKind.String) return (name, $"argument '{name}' must be a path string");
                var raw = value.GetString()!;
                if (!PathRules.TryNormalize(raw, out var normalized))
                    return (name, $"argument '{name}' must be an absolute path without traversal above the root");
                if (!c.PathPrefixes.Any(p => PathRules.IsUnder(normalized, p)))
                    return (name, $"argument '{name}' is outside the allowed paths ({string.Join(", ", c.PathPrefixes)})");
            }
        }
        foreach (var (name, max) in c.MaxValues)
        {
            foreach (var value in Values(args, name))
            {
                decimal x;
                if (value.ValueKind == JsonValueKind.Number) { if (!value.TryGetDecimal(out x)) return (name, $"argument '{name}' exceeds the maximum {max}"); }
                else if (value.ValueKind == JsonValueKind.String && decimal.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out x)) { }
                else return (name, $"argument '{name}' must be a number");
                if (x > max) return (name, $"argument '{name}' exceeds the maximum {max.ToString(CultureInfo.InvariantCulture)}");
            }
        }
        foreach (var name in c.UrlArguments)
        {
            foreach (var value in Values(args, name))
            {
                if (value.ValueKind != JsonValueKind.String || !Uri.TryCreate(value.GetString(), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                    return (name, $"argument '{name}' must be an absolute http(s) URL");
                if (!c.AllowedHosts.Any(h => HostMatches(uri.IdnHost, h)))
                    return (name, $"argument '{name}' host '{uri.IdnHost}' is not allowed");
            }
        }
        return null;
    }

    private static bool HostMatches(string host, string allowed) =>
        allowed.StartsWith("*.", StringComparison.Ordinal)
            ? host.EndsWith(allowed[1..], StringComparison.OrdinalIgnoreCase)
            : string.Equals(host, allowed, StringComparison.OrdinalIgnoreCase);

    /// <summary>The argument's values: the value itself, or each element when it is an array (e.g. read_multiple_files' paths).</summary>
    private static IEnumerable<JsonElement> Values(JsonElement args, string path)
    {
        var v = args;
        foreach (var seg in path.Split('.'))
        {
            if (v.ValueKind != JsonValueKind.Object || !v.TryGetProperty(seg, out v)) yield break;
        }
        if (v.ValueKind == JsonValueKind.Array) { foreach (var item in v.EnumerateArray()) yield return item; }
        else yield return v;
    }
}
