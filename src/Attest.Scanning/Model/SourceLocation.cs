namespace Attest.Scanning.Model;

/// <summary>Where an object, rule or binding was read: file as given on the command line, 1-based line and column.</summary>
public sealed record SourceLocation(string File, int Line, int Column) : IComparable<SourceLocation>
{
    public int CompareTo(SourceLocation? other)
    {
        if (other is null) return 1;
        var c = string.CompareOrdinal(File, other.File);
        if (c != 0) return c;
        c = Line.CompareTo(other.Line);
        return c != 0 ? c : Column.CompareTo(other.Column);
    }

    public override string ToString() => $"{File}:{Line}:{Column}";

    public static bool operator <(SourceLocation left, SourceLocation right) => left.CompareTo(right) < 0;
    public static bool operator <=(SourceLocation left, SourceLocation right) => left.CompareTo(right) <= 0;
    public static bool operator >(SourceLocation left, SourceLocation right) => left.CompareTo(right) > 0;
    public static bool operator >=(SourceLocation left, SourceLocation right) => left.CompareTo(right) >= 0;
}

/// <summary>A manifest that could not be read; the message starts with file:line:column.</summary>
public sealed class ManifestException(SourceLocation location, string message)
    : Exception($"{location}: {message}")
{
    public SourceLocation Location { get; } = location;
}
