using Attest.Core.Guards;

namespace Attest.Guards.Injection;

/// <summary>
/// Prompt injection and jailbreak detector: normalises, decodes embedded encodings, runs the heuristic
/// signatures on every view and the learned classifier on the normalised text, and raises one
/// <c>injection</c> finding over the whole text when the best score reaches the policy threshold.
/// In retrieved documents and tool results (indirect mode) the indirect signatures carry full weight.
/// </summary>
public sealed class InjectionGuard(InjectionModel? model) : IContentGuard
{
    public InjectionGuard() : this(InjectionModel.Default) { }

    public string Name => "injection";

    public void Scan(string text, GuardScan scan, List<GuardFinding> findings)
    {
        var (score, rule) = Evaluate(text, scan.Direction is GuardDirection.Retrieved or GuardDirection.ToolResult);
        if (score >= scan.Policy.InjectionThreshold)
            findings.Add(new GuardFinding("injection", 0, text.Length, score, rule));
    }

    /// <summary>Best score (0–1) and the rule that gave it.</summary>
    public (double Score, string Rule) Evaluate(string text, bool indirect)
    {
        if (text.Length == 0) return (0, "injection.none");
        var normalized = TextNormalizer.Normalize(text);
        var (score, rule) = Signatures(normalized);
        if (score < 0.9)
        {
            foreach (var view in Decoders.Decode(text))
            {
                var (s, r) = Signatures(TextNormalizer.Normalize(view));
                if (s > score) (score, rule) = (s, r + ".decoded");
            }
            if (normalized.Contains("rot13", StringComparison.Ordinal) || normalized.Contains("rot-13", StringComparison.Ordinal) || normalized.Contains("vtaber", StringComparison.Ordinal))
            {
                var (s, r) = Signatures(TextNormalizer.Normalize(Decoders.Rot13(text)));
                if (s > score) (score, rule) = (s, r + ".rot13");
            }
        }
        if (model is not null)
        {
            double p = model.Score(normalized);
            // In indirect mode documents are long and varied; the classifier alone is trusted less there.
            if (indirect) p *= 0.9;
            if (p > score) (score, rule) = (p, "injection.classifier");
        }
        return (score, rule);
    }

    private static (double, string) Signatures(string normalized)
    {
        double best = 0;
        string rule = "injection.none";
        foreach (var sig in InjectionSignatures.All)
        {
            if (sig.Score <= best) continue;
            if (sig.Regex.IsMatch(normalized)) (best, rule) = (sig.Score, sig.Id);
        }
        return (best, rule);
    }
}
