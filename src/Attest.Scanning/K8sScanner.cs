using Attest.Core.Config;
using Attest.Scanning.Agents;
using Attest.Scanning.Analysis;
using Attest.Scanning.Reading;
using Attest.Scanning.Rules;

namespace Attest.Scanning;

/// <summary>
/// Kubernetes RBAC posture scan. Deterministic: no model, no clock; findings depend only on the set of objects read
/// (never on input order). Stateless and thread-safe. This is the API the evidence engine calls for the CC6 control test.
/// </summary>
public static class K8sScanner
{
    /// <summary>Reads and scans. Throws <see cref="Model.ManifestException"/> (file:line:column) for malformed input or agent declarations.</summary>
    public static ScanReport Scan(IEnumerable<K8sSource> sources, PolicySnapshot? policy = null)
    {
        var list = sources.ToList();
        var set = ManifestReader.Read(list);
        var graph = new RbacGraph(set);
        var findings = new List<Finding>();
        var notes = new List<string>(set.Notes);
        PermissionChecks.Run(graph, findings);
        BindingChecks.Run(graph, findings);
        WorkloadChecks.Run(graph, findings);
        EscalationPaths.Run(graph, findings);
        var agents = AgentChecks.Run(graph, policy, findings, notes);
        findings.Sort(Finding.Compare);
        var distinct = new List<Finding>(findings.Count);
        foreach (var f in findings)
            if (distinct.Count == 0 || Finding.Compare(distinct[^1], f) != 0) distinct.Add(f);
        notes.Sort(StringComparer.Ordinal);
        return new ScanReport(list.Count, set.ObjectCount, set.IgnoredObjects, distinct, Subjects(graph), agents, notes);
    }

    private static List<SubjectPermissions> Subjects(RbacGraph graph) =>
        graph.Subjects.Select(s => new SubjectPermissions(s.Key, graph.EffectiveGrants(s)
            .Select(g => new EffectivePermission(g.Scope ?? "*", g.Rule.ToString(), g.Binding.Display, g.Role.Display, g.ViaGroup, g.PrimaryLocation.ToString()))
            .ToList())).ToList();
}
