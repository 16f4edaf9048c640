using System.Text;
using Attest.Core.Config;

namespace Attest.Evidence.Artifacts;

/// <summary>AI system inventory, subprocessors and provenance registers, built from config. Stateless.</summary>
public static class SystemInventory
{
    public sealed record ModelRow(string Alias, string Kind, string Provider, string Version, bool Production, string Subprocessor);
    public sealed record AgentRow(string Id, string Owner, string Impact, string Model, string Domain, string Tools, string DataClasses);
    public sealed record ConnectorRow(string Id, string Owner, string Classification, string Retention, int EvalCases, string Source);
    public sealed record SubprocessorRow(string Provider, string Type, string Entity, string Location, string MaxClassification, string Models);

    public static IReadOnlyList<ModelRow> Models(PolicySnapshot p) =>
        [.. p.Config.Models.SelectMany(m => m.Targets.Select(t => new ModelRow(m.Alias, m.Kind, t.Provider, t.Model, m.Production,
            p.Providers.TryGetValue(t.Provider, out var pr) ? pr.Subprocessor ?? "(undeclared)" : "(unknown provider)")))];

    public static IReadOnlyList<AgentRow> Agents(PolicySnapshot p) =>
        [.. p.Config.Agents.Select(a => new AgentRow(a.Id, a.Owner ?? "(none)", a.Impact ?? "(none)", a.Model ?? "(none)", a.Domain ?? a.Purpose ?? "",
            string.Join(", ", a.Tools.Select(t => $"{t.Tool} (approval {t.Approval})")), string.Join(", ", a.DataClasses)))];

    public static IReadOnlyList<ConnectorRow> Connectors(PolicySnapshot p) =>
        [.. p.Config.Connectors.Select(c => new ConnectorRow(c.Id, c.Owner ?? "(none)", c.Classification ?? "(none)", c.Retention ?? "(none)", c.EvalCases.Count, c.Source ?? "(not stated)"))];

    public static IReadOnlyList<SubprocessorRow> Subprocessors(PolicySnapshot p) =>
        [.. p.Config.Providers.Select(x => new SubprocessorRow(x.Id, x.Type, x.Subprocessor ?? "(undeclared)", x.DataLocation ?? "(undeclared)", x.MaxClassification,
            string.Join(", ", p.Config.Models.Where(m => m.Targets.Any(t => t.Provider == x.Id)).Select(m => m.Alias))))];

    public static string Markdown(PolicySnapshot p)
    {
        var sb = new StringBuilder();
        sb.AppendLine("### Models").AppendLine();
        Table(sb, ["Alias", "Kind", "Provider", "Pinned version", "Production", "Subprocessor"],
            Models(p).Select(m => new[] { m.Alias, m.Kind, m.Provider, m.Version, m.Production ? "yes" : "no", m.Subprocessor }));
        sb.AppendLine("### Agents").AppendLine();
        Table(sb, ["Agent", "Owner", "Decision impact", "Model", "Domain", "Allowed tools", "Data classes"],
            Agents(p).Select(a => new[] { a.Id, a.Owner, a.Impact, a.Model, a.Domain, a.Tools, a.DataClasses }));
        sb.AppendLine("### Tools").AppendLine();
        Table(sb, ["Tool", "Kind", "Impact", "Argument schema", "Description"],
            p.Config.Tools.Select(t => new[] { t.Id, t.Kind, t.Impact, t.ArgumentsSchema is null ? "no" : "yes", t.Description ?? "" }));
        sb.AppendLine("### Connectors and data classes").AppendLine();
        Table(sb, ["Connector", "Owner", "Classification", "Retention", "Eval cases", "Source"],
            Connectors(p).Select(c => new[] { c.Id, c.Owner, c.Classification, c.Retention, c.EvalCases.ToString(System.Globalization.CultureInfo.InvariantCulture), c.Source }));
        return sb.ToString();
    }

    public static string SubprocessorsMarkdown(PolicySnapshot p)
    {
        var sb = new StringBuilder();
        Table(sb, ["Provider", "Type", "Legal entity", "Data location", "Highest data class", "Models"],
            Subprocessors(p).Select(s => new[] { s.Provider, s.Type, s.Entity, s.Location, s.MaxClassification, s.Models }));
        return sb.ToString();
    }

    /// <summary>Training-data provenance: where indexed and model data come from, how it is classified and kept.</summary>
    public static string ProvenanceMarkdown(PolicySnapshot p)
    {
        var sb = new StringBuilder();
        sb.AppendLine("Attest trains no foundation model. Data reaches models only as prompts and retrieved context; the table lists each source.").AppendLine();
        Table(sb, ["Source", "Kind", "Origin", "Classification", "Retention", "Owner"],
            p.Config.Connectors.Select(c => new[] { c.Id, "retrieval connector", c.Source ?? "(not stated)", c.Classification ?? "", c.Retention ?? "", c.Owner ?? "" })
            .Concat(p.Config.Models.SelectMany(m => m.Targets).Select(t => new[] { t.Model, "model (third party)", $"trained by provider '{t.Provider}'; training data as the provider declares", "n/a", "n/a", "provider" })));
        sb.AppendLine("Attest's own prompt-injection classifier is trained from data in the repository with a checked-in command; see docs/guards.md.");
        return sb.ToString();
    }

    internal static void Table(StringBuilder sb, string[] head, IEnumerable<string[]> rows)
    {
        sb.Append("| ").AppendJoin(" | ", head).AppendLine(" |");
        sb.Append('|').AppendJoin("", head.Select(_ => "---|")).AppendLine();
        var any = false;
        foreach (var r in rows)
        {
            any = true;
            sb.Append("| ").AppendJoin(" | ", r.Select(c => c.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal))).AppendLine(" |");
        }
        if (!any) sb.Append("| ").AppendJoin(" | ", head.Select((_, i) => i == 0 ? "(none)" : "")).AppendLine(" |");
        sb.AppendLine();
    }
}
