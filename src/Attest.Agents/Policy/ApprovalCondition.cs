using System.Globalization;
using System.Text.Json;

namespace Attest.Agents.Policy;

/// <summary>
/// A compiled condition on tool arguments, e.g. <c>amount &gt; 100</c>, <c>path startsWith "/data/out"</c>,
/// <c>amount &gt; 100 and (currency == "EUR" or not approved == true)</c>. The language has no calls, loops
/// or side effects: comparisons of an argument path with a literal, combined by <c>and</c>, <c>or</c>,
/// <c>not</c> and parentheses. A missing argument makes its comparison false. Thread-safe once compiled.
/// </summary>
public sealed class ApprovalCondition
{
    private readonly ConditionNode _root;

    private ApprovalCondition(string text, ConditionNode root)
    {
        Text = text;
        _root = root;
    }

    public string Text { get; }

    /// <summary>Parses a condition; throws <see cref="FormatException"/> naming the column of the problem.</summary>
    public static ApprovalCondition Parse(string text)
    {
        var parser = new ConditionParser(ConditionLexer.Tokenize(text));
        return new ApprovalCondition(text, parser.ParseAll());
    }

    public bool Evaluate(JsonElement arguments) => _root.Evaluate(arguments);
}

internal abstract class ConditionNode
{
    public abstract bool Evaluate(JsonElement args);
}

internal sealed class AndNode(ConditionNode l, ConditionNode r) : ConditionNode
{
    public override bool Evaluate(JsonElement args) => l.Evaluate(args) && r.Evaluate(args);
}

internal sealed class OrNode(ConditionNode l, ConditionNode r) : ConditionNode
{
    public override bool Evaluate(JsonElement args) => l.Evaluate(args) || r.Evaluate(args);
}

internal sealed class NotNode(ConditionNode inner) : ConditionNode
{
    public override bool Evaluate(JsonElement args) => !inner.Evaluate(args);
}

internal sealed class CompareNode(string[] path, string op, ConditionLiteral literal) : ConditionNode
{
    public override bool Evaluate(JsonElement args)
    {
        var v = args;
        foreach (var seg in path)
        {
            if (v.ValueKind != JsonValueKind.Object || !v.TryGetProperty(seg, out v)) return false;
        }
        return op switch
        {
            "==" => Equal(v, literal),
            "!=" => !Equal(v, literal),
            ">" or ">=" or "<" or "<=" => CompareNumbers(v, literal, op),
            "startsWith" => v.ValueKind == JsonValueKind.String && literal.Text is { } p && StartsWith(v.GetString()!, p),
            "endsWith" => v.ValueKind == JsonValueKind.String && literal.Text is { } e && v.GetString()!.EndsWith(e, StringComparison.Ordinal),
            "contains" => v.ValueKind == JsonValueKind.String && literal.Text is { } c && v.GetString()!.Contains(c, StringComparison.Ordinal),
            _ => false,
        };
    }

    private static bool StartsWith(string value, string prefix)
    {
        // Paths are compared after normalisation so "/data/out/../x" does not pass for "/data/out".
        if (prefix.StartsWith('/') && PathRules.TryNormalize(value, out var normalized)) return PathRules.IsUnder(normalized, prefix);
        return value.StartsWith(prefix, StringComparison.Ordinal);
    }

    private static bool Equal(JsonElement v, ConditionLiteral lit) => v.ValueKind switch
    {
        JsonValueKind.Number => lit.Number is { } n && v.GetDecimal() == n,
        JsonValueKind.String => lit.Text is { } s && v.GetString() == s,
        JsonValueKind.True => lit.Bool == true,
        JsonValueKind.False => lit.Bool == false,
        JsonValueKind.Null => lit.IsNull,
        _ => false,
    };

    private static bool CompareNumbers(JsonElement v, ConditionLiteral lit, string op)
    {
        if (lit.Number is not { } n) return false;
        decimal x;
        if (v.ValueKind == JsonValueKind.Number) { if (!v.TryGetDecimal(out x)) return true; } // beyond decimal: treat as huge, fail towards approval
        else if (v.ValueKind != JsonValueKind.String || !decimal.TryParse(v.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out x)) return false;
        return op switch { ">" => x > n, ">=" => x >= n, "<" => x < n, _ => x <= n };
    }
}

internal sealed record ConditionLiteral(string? Text, decimal? Number, bool? Bool, bool IsNull);
