using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Attest.Evidence.Catalog;

/// <summary>One of Attest's controls, as declared in Catalog/controls.yaml.</summary>
public sealed record Control
{
    public string Id { get; init; } = "";
    public string Title { get; init; } = "";
    public string Statement { get; init; } = "";
    public string Implementation { get; init; } = "";
    /// <summary>Id of the automated control test that computes this control's status.</summary>
    public string Test { get; init; } = "";
    public List<string> Keywords { get; init; } = [];
    public List<string> Soc2 { get; init; } = [];
    public List<string> Nist { get; init; } = [];
    public List<string> OwaspLlm { get; init; } = [];
    public List<string> OwaspAgentic { get; init; } = [];

    public IEnumerable<string> AllMappings => Soc2.Concat(Nist).Concat(OwaspLlm).Concat(OwaspAgentic);
}

/// <summary>A criterion of an external framework (SOC 2 TSC, NIST AI RMF, OWASP).</summary>
public sealed record Criterion
{
    public string Id { get; init; } = "";
    public string Title { get; init; } = "";
    /// <summary>True when Attest cannot observe it (governance, HR, training): human evidence is needed.</summary>
    public bool OutsideView { get; init; }
    public string Framework { get; init; } = "";
}

/// <summary>The controls catalog and framework criteria, loaded from the YAML shipped in this assembly. Immutable.</summary>
public sealed class ControlCatalog
{
    private ControlCatalog(IReadOnlyList<Control> controls, IReadOnlyList<Criterion> criteria)
    {
        Controls = controls;
        Criteria = criteria;
    }

    public IReadOnlyList<Control> Controls { get; }
    public IReadOnlyList<Criterion> Criteria { get; }

    public static ControlCatalog Default { get; } = LoadEmbedded();

    public IEnumerable<Control> ControlsFor(string criterionId) =>
        Controls.Where(c => c.AllMappings.Contains(criterionId, StringComparer.Ordinal));

    private static ControlCatalog LoadEmbedded()
    {
        var d = new DeserializerBuilder().WithNamingConvention(CamelCaseNamingConvention.Instance).Build();
        var controls = d.Deserialize<ControlsFile>(Read("controls")).Controls;
        var crit = d.Deserialize<CriteriaFile>(Read("criteria"));
        var criteria = crit.Soc2.Select(c => c with { Framework = "SOC 2" })
            .Concat(crit.Nist.Select(c => c with { Framework = "NIST AI RMF 1.0" }))
            .Concat(crit.OwaspLlm.Select(c => c with { Framework = "OWASP Top 10 for LLM Applications 2025" }))
            .Concat(crit.OwaspAgentic.Select(c => c with { Framework = "OWASP Top 10 for Agentic Applications" }))
            .ToList();
        return new ControlCatalog(controls, criteria);
    }

    private static string Read(string name)
    {
        using var s = typeof(ControlCatalog).Assembly.GetManifestResourceStream($"Attest.Evidence.Catalog.{name}.yaml")
            ?? throw new InvalidOperationException($"catalog {name}.yaml is not embedded");
        using var r = new StreamReader(s);
        return r.ReadToEnd();
    }

    private sealed class ControlsFile { public List<Control> Controls { get; set; } = []; }

    private sealed class CriteriaFile
    {
        public List<Criterion> Soc2 { get; set; } = [];
        public List<Criterion> Nist { get; set; } = [];
        public List<Criterion> OwaspLlm { get; set; } = [];
        public List<Criterion> OwaspAgentic { get; set; } = [];
    }
}
