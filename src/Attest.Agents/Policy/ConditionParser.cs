using System.Globalization;

namespace Attest.Agents.Policy;

internal enum TokenKind { Word, String, Number, Operator, LParen, RParen, End }

internal readonly record struct ConditionToken(TokenKind Kind, string Text, int Column);

internal static class ConditionLexer
{
    public static List<ConditionToken> Tokenize(string text)
    {
        var tokens = new List<ConditionToken>();
        int i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c)) { i++; continue; }
            int start = i;
            if (c == '(') { tokens.Add(new(TokenKind.LParen, "(", i + 1)); i++; continue; }
            if (c == ')') { tokens.Add(new(TokenKind.RParen, ")", i + 1)); i++; continue; }
            if (c is '"' or '\'')
            {
                i++;
                var sb = new System.Text.StringBuilder();
                while (i < text.Length && text[i] != c)
                {
                    if (text[i] == '\\' && i + 1 < text.Length) i++;
                    sb.Append(text[i++]);
                }
                if (i >= text.Length) throw new FormatException($"column {start + 1}: unterminated string");
                i++;
                tokens.Add(new(TokenKind.String, sb.ToString(), start + 1));
                continue;
            }
            if (c is '>' or '<' or '=' or '!')
            {
                i++;
                if (i < text.Length && text[i] == '=') i++;
                var op = text[start..i];
                if (op is "=" or "!") throw new FormatException($"column {start + 1}: unknown operator '{op}' (use ==, !=, >, >=, <, <=)");
                tokens.Add(new(TokenKind.Operator, op, start + 1));
                continue;
            }
            while (i < text.Length && !char.IsWhiteSpace(text[i]) && text[i] is not ('(' or ')' or '>' or '<' or '=' or '!')) i++;
            var word = text[start..i];
            var kind = decimal.TryParse(word, NumberStyles.Float, CultureInfo.InvariantCulture, out _) ? TokenKind.Number : TokenKind.Word;
            tokens.Add(new(kind, word, start + 1));
        }
        tokens.Add(new(TokenKind.End, "", text.Length + 1));
        return tokens;
    }
}

/// <summary>Recursive descent: or &lt; and &lt; not &lt; comparison | ( expr ).</summary>
internal sealed class ConditionParser(List<ConditionToken> tokens)
{
    private static readonly HashSet<string> WordOperators = new(StringComparer.Ordinal) { "startsWith", "endsWith", "contains" };
    private int _pos;

    private ConditionToken Peek => tokens[_pos];

    public ConditionNode ParseAll()
    {
        var node = ParseOr();
        if (Peek.Kind != TokenKind.End) throw new FormatException($"column {Peek.Column}: unexpected '{Peek.Text}'");
        return node;
    }

    private ConditionNode ParseOr()
    {
        var left = ParseAnd();
        while (IsWord("or")) { _pos++; left = new OrNode(left, ParseAnd()); }
        return left;
    }

    private ConditionNode ParseAnd()
    {
        var left = ParseUnary();
        while (IsWord("and")) { _pos++; left = new AndNode(left, ParseUnary()); }
        return left;
    }

    private ConditionNode ParseUnary()
    {
        if (IsWord("not")) { _pos++; return new NotNode(ParseUnary()); }
        if (Peek.Kind == TokenKind.LParen)
        {
            _pos++;
            var inner = ParseOr();
            if (Peek.Kind != TokenKind.RParen) throw new FormatException($"column {Peek.Column}: expected ')'");
            _pos++;
            return inner;
        }
        return ParseComparison();
    }

    private ConditionNode ParseComparison()
    {
        var name = Peek;
        if (name.Kind != TokenKind.Word || WordOperators.Contains(name.Text) || name.Text is "and" or "or" or "not")
            throw new FormatException($"column {name.Column}: expected an argument name, found '{name.Text}'");
        _pos++;
        var op = Peek;
        if (!(op.Kind == TokenKind.Operator || (op.Kind == TokenKind.Word && WordOperators.Contains(op.Text))))
            throw new FormatException($"column {op.Column}: expected an operator after '{name.Text}' (==, !=, >, >=, <, <=, startsWith, endsWith, contains)");
        _pos++;
        var lit = Peek;
        _pos++;
        var literal = lit.Kind switch
        {
            TokenKind.String => new ConditionLiteral(lit.Text, null, null, false),
            TokenKind.Number => new ConditionLiteral(lit.Text, decimal.Parse(lit.Text, NumberStyles.Float, CultureInfo.InvariantCulture), null, false),
            TokenKind.Word when lit.Text == "true" => new ConditionLiteral(null, null, true, false),
            TokenKind.Word when lit.Text == "false" => new ConditionLiteral(null, null, false, false),
            TokenKind.Word when lit.Text == "null" => new ConditionLiteral(null, null, null, true),
            TokenKind.Word when lit.Text is not ("and" or "or" or "not") => new ConditionLiteral(lit.Text, null, null, false),
            _ => throw new FormatException($"column {lit.Column}: expected a value after '{op.Text}'"),
        };
        if (op.Kind == TokenKind.Operator && op.Text is not ("==" or "!=") && literal.Number is null)
            throw new FormatException($"column {lit.Column}: '{op.Text}' needs a number");
        return new CompareNode(name.Text.Split('.'), op.Text, literal);
    }

    private bool IsWord(string w) => Peek.Kind == TokenKind.Word && Peek.Text == w;
}
