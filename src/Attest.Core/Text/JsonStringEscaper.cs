using System.Globalization;
using System.Text;

namespace Attest.Core.Text;

/// <summary>
/// The one JSON string escaping used by Attest's canonical encodings (audit entries, approval argument
/// hashes): RFC 8785 style — <c>"</c>, <c>\</c> and the short escapes, other controls as <c>\u00xx</c>,
/// everything else literal. Both encodings are pinned by stored hashes, so this must never change.
/// Stateless; thread-safe.
/// </summary>
public static class JsonStringEscaper
{
    /// <summary>Appends <paramref name="s"/> as a quoted, escaped JSON string.</summary>
    public static void AppendQuoted(StringBuilder sb, string s)
    {
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
    }
}
