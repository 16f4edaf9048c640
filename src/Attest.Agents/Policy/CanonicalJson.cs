using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Attest.Core.Text;

namespace Attest.Agents.Policy;

/// <summary>
/// RFC 8785-style canonical JSON (sorted keys by UTF-16 code units, no insignificant whitespace,
/// shortest round-trip numbers, minimal string escapes) and its SHA-256. Two argument objects that
/// mean the same thing hash the same, so an approval binds to the meaning, not the formatting.
/// </summary>
public static class CanonicalJson
{
    public static string Canonicalize(JsonElement element)
    {
        var sb = new StringBuilder();
        Write(element, sb);
        return sb.ToString();
    }

    public static string Canonicalize(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return Canonicalize(doc.RootElement);
    }

    /// <summary>Lowercase hex SHA-256 of the canonical UTF-8 form.</summary>
    public static string Hash(JsonElement element) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Canonicalize(element))));

    public static string Hash(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return Hash(doc.RootElement);
    }

    private static void Write(JsonElement e, StringBuilder sb)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                sb.Append('{');
                var first = true;
                foreach (var p in e.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    if (!first) sb.Append(',');
                    first = false;
                    WriteString(p.Name, sb);
                    sb.Append(':');
                    Write(p.Value, sb);
                }
                sb.Append('}');
                break;
            case JsonValueKind.Array:
                sb.Append('[');
                var i = 0;
                foreach (var item in e.EnumerateArray())
                {
                    if (i++ > 0) sb.Append(',');
                    Write(item, sb);
                }
                sb.Append(']');
                break;
            case JsonValueKind.String: WriteString(e.GetString()!, sb); break;
            case JsonValueKind.Number: WriteNumber(e, sb); break;
            case JsonValueKind.True: sb.Append("true"); break;
            case JsonValueKind.False: sb.Append("false"); break;
            default: sb.Append("null"); break;
        }
    }

    private static void WriteNumber(JsonElement e, StringBuilder sb)
    {
        // ECMAScript number serialisation: integers without exponent or fraction, others shortest round-trip.
        var d = e.GetDouble();
        if (double.IsNaN(d) || double.IsInfinity(d)) throw new FormatException("JSON number out of range");
        if (d == Math.Floor(d) && Math.Abs(d) < 1e21) sb.Append(d.ToString("F0", CultureInfo.InvariantCulture) is "-0" ? "0" : d.ToString("F0", CultureInfo.InvariantCulture));
        else sb.Append(d.ToString("R", CultureInfo.InvariantCulture).Replace("E+", "e+", StringComparison.Ordinal).Replace("E-", "e-", StringComparison.Ordinal));
    }

    private static void WriteString(string s, StringBuilder sb) => JsonStringEscaper.AppendQuoted(sb, s);
}
