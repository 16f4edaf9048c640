using Attest.Bench.Guards.Data;
using Attest.Core.Guards;
using Attest.Guards;
using Attest.Guards.Injection;
using Attest.Guards.Pii;
using Attest.Guards.Secrets;

namespace Attest.Bench.Guards;

/// <summary>Precision, recall, F1 and false-positive rate per type on the generated sets (seeds differ from the tests').</summary>
internal static class Quality
{
    private static List<GuardFinding> Scan(IContentGuard g, string text, GuardDirection d = GuardDirection.Input)
    {
        var l = new List<GuardFinding>();
        g.Scan(text, new GuardScan(d, CompiledGuardPolicy.Default), l);
        return l;
    }

    private static void Row(string name, int tp, int fp, int fn, int negatives, int negHits)
    {
        double p = tp + fp == 0 ? 1 : (double)tp / (tp + fp), r = tp + fn == 0 ? 1 : (double)tp / (tp + fn);
        double f1 = p + r == 0 ? 0 : 2 * p * r / (p + r);
        Console.WriteLine($"| {name} | {tp + fn} | {negatives} | {p:0.000} | {r:0.000} | {f1:0.000} | {(negatives == 0 ? 0 : (double)negHits / negatives):0.000} |");
    }

    private static void Header(string title)
    {
        Console.WriteLine($"\n### {title}\n");
        Console.WriteLine("| type | positives | negatives | precision | recall | F1 | FPR |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
    }

    public static void Run(int n = 300)
    {
        var pii = new PiiGuard();
        Header("PII (generated, seed 1000+)");
        foreach (var (type, gen) in PiiSamples.Positives)
        {
            int tp = 0, fp = 0, fn = 0, negHits = 0;
            for (int i = 0; i < n; i++)
            {
                var (text, value) = gen(new Random(1000 + i));
                int start = text.IndexOf(value, StringComparison.Ordinal);
                var hits = Scan(pii, text).Where(f => f.Type == type).ToList();
                if (hits.Any(f => f.Start < start + value.Length && start < f.Start + f.Length)) tp++; else fn++;
                fp += hits.Count(f => !(f.Start < start + value.Length && start < f.Start + f.Length));
                var neg = PiiSamples.Negatives[type](new Random(5000 + i));
                int nh = Scan(pii, neg).Count(f => f.Type == type);
                if (nh > 0) negHits++;
                fp += nh;
            }
            Row(type, tp, fp, fn, n, negHits);
        }

        var secrets = new SecretGuard();
        Header("Secrets (generated, seed 2000+; negatives: UUIDs, git SHAs, SHA-256, MD5, base64 blobs, identifiers, placeholders)");
        int stp = 0, sfp = 0, sfn = 0, wrongType = 0;
        var missed = new List<string>();
        foreach (var (id, gen) in SecretSamples.Positives)
        {
            for (int i = 0; i < 30; i++)
            {
                var hits = Scan(secrets, gen(new Random(2000 + i)));
                if (hits.Any(f => f.Type == "secret." + id)) stp++;
                else { sfn++; if (!missed.Contains(id)) missed.Add(id); }
                if (hits.Count > 0 && hits.All(f => f.Type != "secret." + id)) wrongType++;
            }
        }
        int negTotal = 0, negFlag = 0;
        foreach (var (kind, gen) in SecretSamples.Negatives)
        {
            int k = 0, flagged = 0;
            for (int i = 0; i < n; i++) { k++; var h = Scan(secrets, gen(new Random(3000 + i))).Count; if (h > 0) flagged++; sfp += h; }
            negTotal += k; negFlag += flagged;
            Console.WriteLine($"| negatives: {kind} | 0 | {k} | – | – | – | {(double)flagged / k:0.000} |");
        }
        Row($"all {SecretSamples.Positives.Count} formats", stp, sfp + wrongType, sfn, negTotal, negFlag);
        if (missed.Count > 0) Console.WriteLine($"\nformats with misses: {string.Join(", ", missed)}");

        InjectionReport();
    }

    private static void InjectionReport()
    {
        var data = InjectionSamples.Generate();
        var test = data.Where(d => d.Split == "test").ToList();
        var full = new InjectionGuard();
        var sigOnly = new InjectionGuard(null);
        var model = InjectionModel.Default;
        Console.WriteLine($"\n### Prompt injection (held-out templates: {test.Count} texts of {data.Count}; threshold 0.5)\n");
        Console.WriteLine("| mode | detector | injections | benign | recall | FPR | precision | F1 |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|");
        foreach (var mode in new[] { "direct", "indirect" })
        {
            var set = test.Where(t => t.Mode == mode).ToList();
            foreach (var (name, score) in new (string, Func<string, double>)[]
            {
                ($"signatures + classifier (p ≥ {InjectionGuard.ClassifierCut})", t => full.Evaluate(t).Score),
                ("signatures only", t => sigOnly.Evaluate(t).Score),
                ("classifier only (p ≥ 0.5)", t => model is null ? 0 : model.Score(TextNormalizer.Normalize(t))),
            })
            {
                int tp = 0, fn = 0, fp = 0, tn = 0;
                foreach (var s in set)
                {
                    bool hit = score(s.Text) >= 0.5;
                    if (s.Injection) { if (hit) tp++; else fn++; } else { if (hit) fp++; else tn++; }
                }
                double r = (double)tp / Math.Max(1, tp + fn), fpr = (double)fp / Math.Max(1, fp + tn), p = (double)tp / Math.Max(1, tp + fp);
                Console.WriteLine($"| {mode} | {name} | {tp + fn} | {fp + tn} | {r:0.000} | {fpr:0.000} | {p:0.000} | {2 * p * r / Math.Max(1e-9, p + r):0.000} |");
            }
        }
        Console.WriteLine("\n| family (held out, both modes) | recall |");
        Console.WriteLine("|---|---|");
        foreach (var fam in test.Where(t => t.Injection).GroupBy(t => t.Family))
            Console.WriteLine($"| {fam.Key} | {fam.Count(t => full.Evaluate(t.Text).Score >= 0.5) / (double)fam.Count():0.000} |");
    }
}
