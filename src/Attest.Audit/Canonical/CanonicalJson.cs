using System.Buffers;
using System.Globalization;
using System.Text;
using Attest.Core.Text;

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

    private static readonly SearchValues<char> NeedsEscape = SearchValues.Create(
        "\"\\\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\b\t\n\u000b\f\r\u000e\u000f\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f");

    private static void WriteObject(ArrayBufferWriter<byte> w, IReadOnlyDictionary<string, object?> obj)
    {
        var keys = new string[obj.Count];
        var n = 0;
        foreach (var (k, v) in obj) if (v is not null) keys[n++] = k;
        Array.Sort(keys, 0, n, StringComparer.Ordinal);
        Byte(w, (byte)'{');
        for (var i = 0; i < n; i++)
        {
            if (i > 0) Byte(w, (byte)',');
            WriteString(w, keys[i]);
            Byte(w, (byte)':');
            WriteValue(w, obj[keys[i]]!);
        }
        Byte(w, (byte)'}');
    }

    internal static void WriteStrings(ArrayBufferWriter<byte> w, IReadOnlyDictionary<string, string> obj)
    {
        var keys = new string[obj.Count];
        var n = 0;
        foreach (var (k, v) in obj) if (v is not null) keys[n++] = k;
        Array.Sort(keys, 0, n, StringComparer.Ordinal);
        Byte(w, (byte)'{');
        for (var i = 0; i < n; i++)
        {
            if (i > 0) Byte(w, (byte)',');
            WriteString(w, keys[i]);
            Byte(w, (byte)':');
            WriteString(w, obj[keys[i]]);
        }
        Byte(w, (byte)'}');
    }

    internal static void WriteStringArray(ArrayBufferWriter<byte> w, IReadOnlyList<string> list)
    {
        Byte(w, (byte)'[');
        for (var i = 0; i < list.Count; i++)
        {
            if (i > 0) Byte(w, (byte)',');
            WriteString(w, list[i]);
        }
        Byte(w, (byte)']');
    }

    private static void WriteValue(ArrayBufferWriter<byte> w, object value)
    {
        switch (value)
        {
            case string s: WriteString(w, s); break;
            case long l: Integer(w, l); break;
            case int i: Integer(w, i); break;
            case bool b: Raw(w, b ? "true" : "false"); break;
            case IReadOnlyDictionary<string, object?> o: WriteObject(w, o); break;
            case IReadOnlyDictionary<string, string> d: WriteStrings(w, d); break;
            case IEnumerable<string> list: WriteStringArray(w, list as IReadOnlyList<string> ?? [.. list]); break;
            default: throw new ArgumentException($"canonical JSON has no encoding for {value.GetType().Name}", nameof(value));
        }
    }

    internal static void WriteString(ArrayBufferWriter<byte> w, string s)
    {
        if (s.AsSpan().IndexOfAny(NeedsEscape) < 0)
        {
            // Fast path: nothing to escape, so the quoted string is its UTF-8 bytes between quotes.
            var span = w.GetSpan(Encoding.UTF8.GetMaxByteCount(s.Length) + 2);
            span[0] = (byte)'"';
            var len = Encoding.UTF8.GetBytes(s, span[1..]);
            span[len + 1] = (byte)'"';
            w.Advance(len + 2);
            return;
        }
        var sb = new StringBuilder(s.Length + 2);
        JsonStringEscaper.AppendQuoted(sb, s);
        Raw(w, sb.ToString());
    }

    internal static void Integer(ArrayBufferWriter<byte> w, long value)
    {
        var span = w.GetSpan(20);
        value.TryFormat(span, out var written, default, CultureInfo.InvariantCulture);
        w.Advance(written);
    }

    internal static void Byte(ArrayBufferWriter<byte> w, byte b)
    {
        w.GetSpan(1)[0] = b;
        w.Advance(1);
    }

    internal static void Raw(ArrayBufferWriter<byte> w, string s)
    {
        var span = w.GetSpan(Encoding.UTF8.GetMaxByteCount(s.Length));
        w.Advance(Encoding.UTF8.GetBytes(s, span));
    }
}
