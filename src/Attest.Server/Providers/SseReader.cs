using System.Runtime.CompilerServices;
using System.Text;

namespace Attest.Server.Providers;

/// <summary>Reads server-sent events (<c>event:</c> and <c>data:</c> lines, blank-line separated) from an upstream body.</summary>
internal static class SseReader
{
    public static async IAsyncEnumerable<(string? Event, string Data)> ReadAsync(Stream body, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(body, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, bufferSize: 4096);
        string? eventName = null;
        var data = new StringBuilder();
        while (true)
        {
            var line = await reader.ReadLineAsync(cancellationToken);
            if (line is null || line.Length == 0)
            {
                if (data.Length > 0)
                {
                    yield return (eventName, data.ToString());
                    data.Clear();
                }
                eventName = null;
                if (line is null) yield break;
                continue;
            }
            if (line[0] == ':') continue;
            if (line.StartsWith("event:", StringComparison.Ordinal)) eventName = line[6..].Trim();
            else if (line.StartsWith("data:", StringComparison.Ordinal))
            {
                if (data.Length > 0) data.Append('\n');
                data.Append(line.AsSpan(line.Length > 5 && line[5] == ' ' ? 6 : 5));
            }
        }
    }
}
