using System.Globalization;

namespace Attest.Core.Config;

/// <summary>Parses durations written in config: <c>90s</c>, <c>15m</c>, <c>1h</c>, <c>30d</c>, <c>2w</c>, <c>12mo</c>, <c>7y</c>.</summary>
public static class Durations
{
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var s = text.Trim();
        int i = 0;
        while (i < s.Length && char.IsAsciiDigit(s[i])) i++;
        if (i == 0 || !long.TryParse(s.AsSpan(0, i), NumberStyles.None, CultureInfo.InvariantCulture, out var n)) return false;
        var unit = s[i..];
        double days;
        switch (unit)
        {
            case "s": value = TimeSpan.FromSeconds(n); return true;
            case "m": value = TimeSpan.FromMinutes(n); return true;
            case "h": value = TimeSpan.FromHours(n); return true;
            case "d": days = n; break;
            case "w": days = n * 7; break;
            case "mo": days = n * 30; break;
            case "y": days = n * 365; break;
            default: return false;
        }
        value = TimeSpan.FromDays(days);
        return true;
    }

    public static TimeSpan Parse(string text) =>
        TryParse(text, out var v) ? v : throw new FormatException($"'{text}' is not a duration (use e.g. 90s, 15m, 1h, 30d, 2w, 12mo, 7y)");
}
