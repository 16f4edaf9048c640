using System.Buffers;
using System.Globalization;
using System.Text;

namespace Attest.Audit.Canonical;

/// <summary>
/// Attest's canonical JSON (docs/audit-events.md §Canonical encoding): UTF-8, no whitespace,
/// object keys sorted by UTF-16 code units (as RFC 8785), null members omitted, integers only
/// (no floats), strings escaped exactly as RFC 8785: <c>\"</c> <c>\\</c> <c>\b \f \n \r \t</c>,
/// other control characters as <c>\u00xx</c> (lowercase hex), everything else literal.
/// Values: <see cref="string"/>, <see cref="long"/>/<see cref="int"/>, <see cref="bool"/>,
/// <see cref="IReadOnlyList{T}"/> of strings, and nested <see cref="IReadOnlyDictionary{TKey,TValue}"/>
/// of string to such values. Stateless and thread-safe.
/// </summary>
public static class CanonicalJson
{
    public static byte[] Encode(IReadOnlyDictionary<string, object?> obj)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        WriteObject(buffer, obj);
        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteObject(ArrayBufferWriter<byte> w, IReadOnlyDictionary<string, object?> obj)
    {
        Raw(w, "{");
        var first = true;
        foreach (var key in obj.Keys.Where(k => obj[k] is not null).OrderBy(k => k, StringComparer.Ordinal))
        {
            if (!first) Raw(w, ",");
            first = false;
            WriteString(w, key);
            Raw(w, ":");
            WriteValue(w, obj[key]!);
        }
        Raw(w, "}");
    }

    private static void WriteValue(ArrayBufferWriter<byte> w, object value)
    {
        switch (value)
        {
            case string s: WriteString(w, s); break;
            case long l: Raw(w, l.ToString(CultureInfo.InvariantCulture)); break;
            case int i: Raw(w, i.ToString(CultureInfo.InvariantCulture)); break;
            case bool b: Raw(w, b ? "true" : "false"); break;
            case IReadOnlyDictionary<string, object?> o: WriteObject(w, o); break;
            case IReadOnlyDictionary<string, string> d: WriteObject(w, d.ToDictionary(kv => kv.Key, kv => (object?)kv.Value, StringComparer.Ordinal)); break;
            case IEnumerable<string> list:
                Raw(w, "[");
                var first = true;
                foreach (var item in list)
                {
                    if (!first) Raw(w, ",");
                    first = false;
                    WriteString(w, item);
                }
                Raw(w, "]");
                break;
            default: throw new ArgumentException($"canonical JSON has no encoding for {value.GetType().Name}", nameof(value));
        }
    }

    private static void WriteString(ArrayBufferWriter<byte> w, string s)
    {
        var sb = new StringBuilder(s.Length + 2);
        sb.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case < ' ': sb.Append("\\u00").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture)); break;
                default: sb.Append(c); break;
            }
        }
        sb.Append('"');
        Raw(w, sb.ToString());
    }

    private static void Raw(ArrayBufferWriter<byte> w, string s)
    {
        var span = w.GetSpan(System.Text.Encoding.UTF8.GetMaxByteCount(s.Length));
        w.Advance(System.Text.Encoding.UTF8.GetBytes(s, span));
    }
}
