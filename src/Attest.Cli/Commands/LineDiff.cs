using System.Text;

namespace Attest.Cli.Commands;

/// <summary>A unified line diff (longest common subsequence, 3 lines of context), as <c>diff -u</c> prints it.</summary>
internal static class LineDiff
{
    public static string Unified(string oldText, string newText, string oldLabel, string newLabel, int context = 3)
    {
        var a = Lines(oldText);
        var b = Lines(newText);
        var ops = Script(a, b);
        var sb = new StringBuilder();
        if (ops.All(o => o.Kind == ' ')) return "";
        sb.Append("--- ").Append(oldLabel).Append('\n').Append("+++ ").Append(newLabel).Append('\n');
        int i = 0;
        while (i < ops.Count)
        {
            if (ops[i].Kind == ' ') { i++; continue; }
            int start = Math.Max(0, i - context), end = i;
            // Extend the hunk while changes are separated by at most 2*context unchanged lines.
            while (true)
            {
                while (end < ops.Count && ops[end].Kind != ' ') end++;
                int next = end;
                while (next < ops.Count && ops[next].Kind == ' ') next++;
                if (next < ops.Count && next - end <= 2 * context) { end = next; continue; }
                end = Math.Min(ops.Count, end + context);
                break;
            }
            var hunk = ops.GetRange(start, end - start);
            int oldStart = hunk[0].OldLine, newStart = hunk[0].NewLine;
            int oldCount = hunk.Count(o => o.Kind != '+'), newCount = hunk.Count(o => o.Kind != '-');
            sb.Append($"@@ -{(oldCount == 0 ? oldStart - 1 : oldStart)},{oldCount} +{(newCount == 0 ? newStart - 1 : newStart)},{newCount} @@\n");
            foreach (var o in hunk) sb.Append(o.Kind).Append(o.Text).Append('\n');
            i = end;
        }
        return sb.ToString();
    }

    private readonly record struct Op(char Kind, string Text, int OldLine, int NewLine);

    private static List<Op> Script(string[] a, string[] b)
    {
        var lcs = new int[a.Length + 1, b.Length + 1];
        for (int x = a.Length - 1; x >= 0; x--)
            for (int y = b.Length - 1; y >= 0; y--)
                lcs[x, y] = a[x] == b[y] ? lcs[x + 1, y + 1] + 1 : Math.Max(lcs[x + 1, y], lcs[x, y + 1]);
        var ops = new List<Op>();
        int i = 0, j = 0;
        while (i < a.Length || j < b.Length)
        {
            if (i < a.Length && j < b.Length && a[i] == b[j]) { ops.Add(new(' ', a[i], i + 1, j + 1)); i++; j++; }
            else if (j < b.Length && (i == a.Length || lcs[i, j + 1] >= lcs[i + 1, j])) { ops.Add(new('+', b[j], i + 1, j + 1)); j++; }
            else { ops.Add(new('-', a[i], i + 1, j + 1)); i++; }
        }
        return ops;
    }

    private static string[] Lines(string text)
    {
        var t = text.ReplaceLineEndings("\n");
        if (t.EndsWith('\n')) t = t[..^1];
        return t.Length == 0 ? [] : t.Split('\n');
    }
}
