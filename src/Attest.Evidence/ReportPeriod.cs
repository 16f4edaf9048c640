using System.Globalization;

namespace Attest.Evidence;

/// <summary>A report period of whole UTC days, written <c>2026-10-01..2026-10-31</c> (both days included).</summary>
public readonly record struct ReportPeriod(DateTimeOffset Start, DateTimeOffset End)
{
    public static bool TryParse(string? text, out ReportPeriod period, out string? error)
    {
        period = default;
        error = null;
        var parts = text?.Split("..") ?? [];
        if (parts.Length != 2 || !DateOnly.TryParseExact(parts[0], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var a)
            || !DateOnly.TryParseExact(parts[1], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var b))
        {
            error = $"period '{text}' is not of the form YYYY-MM-DD..YYYY-MM-DD";
            return false;
        }
        if (b < a) { error = $"period '{text}' ends before it starts"; return false; }
        period = new ReportPeriod(new DateTimeOffset(a.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero), new DateTimeOffset(b.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero));
        return true;
    }

    /// <summary>The last <paramref name="days"/> whole days up to and including today.</summary>
    public static ReportPeriod LastDays(DateTimeOffset now, int days)
    {
        var end = new DateTimeOffset(now.UtcDateTime.Date.AddDays(1), TimeSpan.Zero);
        return new ReportPeriod(end.AddDays(-days), end);
    }
}
