using System.Text.RegularExpressions;
using Attest.Core.Guards;

namespace Attest.Guards.Pii;

/// <summary>
/// Person names: a capitalised name after a cue (<c>my name is</c>, <c>Mr.</c>, <c>Dr.</c>, <c>name:</c>, <c>signed</c>),
/// or a gazetteer given name followed by a capitalised surname. Heuristic: misses names without cues that
/// are not in the gazetteer and can flag capitalised phrases after a cue.
/// </summary>
internal static partial class NameRecognizer
{
    [GeneratedRegex(@"(?:\b(?:my name is|name is|i am|i'm|this is|named|called|name:|patient:|customer:|employee:|signed,?|regards,|sincerely,)\s+|\b(?:Mr|Mrs|Ms|Miss|Dr|Prof|Herr|Frau|Mme|M)\.?\s+)(?<n>\p{Lu}[\p{Ll}'\-]+(?:\s+\p{Lu}[\p{Ll}'\-]+){0,2})", RegexOptions.CultureInvariant)]
    private static partial Regex Cued();

    [GeneratedRegex(@"\b(?<g>\p{Lu}[\p{Ll}\-]+)\s+(?<s>\p{Lu}[\p{Ll}'\-]{1,}(?:-\p{Lu}[\p{Ll}]+)?)\b", RegexOptions.CultureInvariant)]
    private static partial Regex GivenSurname();

    public static void Scan(string text, List<GuardFinding> findings)
    {
        int before = findings.Count;
        for (var m = Cued().Match(text); m.Success; m = m.NextMatch())
        {
            var g = m.Groups["n"];
            var first = g.ValueSpan.IndexOfAny(' ', '\t', '\n') is var sp and > 0 ? g.ValueSpan[..sp] : g.ValueSpan;
            if (Gazetteer.NotSurnames.GetAlternateLookup<ReadOnlySpan<char>>().Contains(first)) continue;
            findings.Add(new GuardFinding("pii.person", g.Index, g.Length, 0.8, "pii.person.cue"));
        }
        for (var m = GivenSurname().Match(text); m.Success; m = m.NextMatch())
        {
            if (!Gazetteer.GivenNames.GetAlternateLookup<ReadOnlySpan<char>>().Contains(m.Groups["g"].ValueSpan)) continue;
            if (Gazetteer.NotSurnames.GetAlternateLookup<ReadOnlySpan<char>>().Contains(m.Groups["s"].ValueSpan)) continue;
            bool covered = false;
            for (int i = before; i < findings.Count; i++)
                if (m.Index < findings[i].Start + findings[i].Length && findings[i].Start < m.Index + m.Length) covered = true;
            if (!covered) findings.Add(new GuardFinding("pii.person", m.Index, m.Length, 0.65, "pii.person.gazetteer"));
        }
    }
}
