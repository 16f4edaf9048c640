using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Attest.Core.Guards;

namespace Attest.Guards.Redaction;

/// <summary>Replaces redacted spans with typed placeholders, keyed hash tags or reversible pseudonyms.</summary>
public static class Redactor
{
    private static readonly ConcurrentDictionary<string, string> Labels = new(StringComparer.Ordinal);

    /// <summary>Placeholder label of a finding type: <c>pii.email</c> → <c>EMAIL</c>, <c>secret.*</c> → <c>SECRET</c>.</summary>
    public static string Label(string type)
    {
        if (Labels.TryGetValue(type, out var label)) return label;
        label = type.StartsWith("secret.", StringComparison.Ordinal) ? "SECRET"
            : (type.LastIndexOf('.') is var d and >= 0 ? type[(d + 1)..] : type).ToUpperInvariant();
        // Finding types come from code and policy, a small set; the bound keeps odd inputs from growing the cache.
        if (Labels.Count < 1024) Labels.TryAdd(type, label);
        return label;
    }

    /// <summary>Applies the redactions (overlaps merged: the earliest, then longest, span wins; ties keep input order).</summary>
    public static string Apply(string text, IEnumerable<GuardFinding> redact, string mode, PseudonymVault vault, string? scope)
    {
        if (redact is List<GuardFinding> list) return Apply(text, CollectionsMarshal.AsSpan(list), [], mode, vault, scope);
        if (redact is GuardFinding[] array) return Apply(text, array, [], mode, vault, scope);
        return Apply(text, [.. redact], [], mode, vault, scope);
    }

    /// <summary>
    /// <see cref="Apply(string, IEnumerable{GuardFinding}, string, PseudonymVault, string?)"/> over the findings whose
    /// action is <see cref="GuardAction.Redact"/> (all of them when <paramref name="actions"/> is empty).
    /// </summary>
    internal static string Apply(string text, ReadOnlySpan<GuardFinding> findings, ReadOnlySpan<GuardAction> actions, string mode, PseudonymVault vault, string? scope)
    {
        // Working arrays come from the pool: only the output string (and new placeholders) are allocated.
        var spanPool = ArrayPool<(GuardFinding F, int Order)>.Shared;
        var spans = spanPool.Rent(Math.Max(findings.Length, 1));
        var keptPool = ArrayPool<(int Start, int Length, string Placeholder)>.Shared;
        (int Start, int Length, string Placeholder)[]? kept = null;
        try
        {
            int count = 0, order = 0;
            for (int i = 0; i < findings.Length; i++)
            {
                if (actions.Length > 0 && actions[i] != GuardAction.Redact) continue;
                var f = findings[i];
                if (f.Length > 0) spans[count++] = (f, order);
                order++;
            }
            if (count == 0) return text;
            // Same order as OrderBy(Start).ThenByDescending(Length), which is stable.
            spans.AsSpan(0, count).Sort(static (a, b) => a.F.Start != b.F.Start ? a.F.Start.CompareTo(b.F.Start)
                : a.F.Length != b.F.Length ? b.F.Length.CompareTo(a.F.Length) : a.Order.CompareTo(b.Order));
            // Placeholders first, then the output is written once at its exact length (no builder, no copies).
            kept = keptPool.Rent(count);
            int parts = 0;
            Numbering? numbered = null;
            int pos = 0;
            long length = text.Length;
            foreach (var (f, _) in spans.AsSpan(0, count))
            {
                if (f.Start < pos) continue;
                var label = Label(f.Type);
                string placeholder = mode switch
                {
                    "hash" => vault.HashTag(label, text.Substring(f.Start, f.Length)),
                    "pseudonymize" when scope is not null => vault.Pseudonymize(scope, label, text.Substring(f.Start, f.Length)),
                    _ => Numbered(ref numbered, text, label, f.Start, f.Length),
                };
                kept[parts++] = (f.Start, f.Length, placeholder);
                length += placeholder.Length - f.Length;
                pos = f.Start + f.Length;
            }
            if (length > int.MaxValue) throw new InvalidOperationException("The redacted text would be too long.");
            return string.Create((int)length, (text, kept, parts), static (dst, state) =>
            {
                var (src, pieces, n) = state;
                int from = 0, to = 0;
                foreach (var (start, len, placeholder) in pieces.AsSpan(0, n))
                {
                    src.AsSpan(from, start - from).CopyTo(dst[to..]);
                    to += start - from;
                    placeholder.AsSpan().CopyTo(dst[to..]);
                    to += placeholder.Length;
                    from = start + len;
                }
                src.AsSpan(from).CopyTo(dst[to..]);
            });
        }
        finally
        {
            // Cleared on return: the entries hold strings (finding types, placeholders) the pool must not keep alive.
            spanPool.Return(spans, clearArray: true);
            if (kept is not null) keptPool.Return(kept, clearArray: true);
        }
    }

    /// <summary>
    /// <c>&lt;LABEL_n&gt;</c>, numbered per label in order of first appearance; an equal value of the same label gets
    /// the same placeholder. The first values are compared in place (no substrings, a call usually redacts few);
    /// past <see cref="LinearLimit"/> distinct values a dictionary takes over so many redactions stay linear.
    /// </summary>
    private static string Numbered(ref Numbering? numbering, string text, string label, int start, int length)
    {
        numbering ??= new Numbering();
        var value = text.AsSpan(start, length);
        if (numbering.Map is { } map && numbering.PerLabel is { } perLabel)
        {
            var key = string.Concat(label, "\n", value);
            if (map.TryGetValue(key, out var known)) return known;
            int next = perLabel.GetValueOrDefault(label) + 1;
            perLabel[label] = next;
            return map[key] = $"<{label}_{next}>";
        }
        int sameLabel = 0;
        foreach (var e in numbering.Entries)
        {
            if (!string.Equals(e.Label, label, StringComparison.Ordinal)) continue;
            if (e.Length == length && text.AsSpan(e.Start, e.Length).SequenceEqual(value)) return e.Placeholder;
            sameLabel++;
        }
        var placeholder = $"<{label}_{sameLabel + 1}>";
        numbering.Entries.Add((label, start, length, placeholder));
        if (numbering.Entries.Count >= LinearLimit)
        {
            numbering.Map = new Dictionary<string, string>(StringComparer.Ordinal);
            numbering.PerLabel = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var e in numbering.Entries)
            {
                numbering.Map[string.Concat(e.Label, "\n", text.AsSpan(e.Start, e.Length))] = e.Placeholder;
                numbering.PerLabel[e.Label] = numbering.PerLabel.GetValueOrDefault(e.Label) + 1;
            }
        }
        return placeholder;
    }

    private const int LinearLimit = 32;

    private sealed class Numbering
    {
        public List<(string Label, int Start, int Length, string Placeholder)> Entries { get; } = [];
        public Dictionary<string, string>? Map { get; set; }
        public Dictionary<string, int>? PerLabel { get; set; }
    }
}
