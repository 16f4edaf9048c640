using Attest.Scanning.Analysis;
using Attest.Scanning.Model;

namespace Attest.Scanning.Rules;

/// <summary>Automounted service-account tokens (-019).</summary>
internal static class WorkloadChecks
{
    public static void Run(RbacGraph graph, List<Finding> findings)
    {
        foreach (var w in graph.Manifests.Workloads)
        {
            if (!MountsToken(graph, w)) continue;
            var grants = graph.EffectiveGrants(new RbacSubject("ServiceAccount", w.ServiceAccountName, w.Namespace))
                .Count(g => !Builtins.IsBuiltin(g));
            // The token itself is the risk; a token that carries RBAC permissions is a larger one.
            var severity = grants > 0 ? Severity.Medium : Severity.Low;
            var detail = grants > 0 ? $"which holds {grants} RBAC rule(s)" : "which holds no RBAC rules in the scanned input";
            findings.Add(new Finding("ATT-K8S-019", severity, w.Display,
                $"{w.Display} automounts the token of ServiceAccount {w.ServiceAccountKey}, {detail}", w.Location, [], []));
        }
    }

    /// <summary>Pod spec setting wins; otherwise the ServiceAccount's; Kubernetes defaults to mounting.</summary>
    public static bool MountsToken(RbacGraph graph, WorkloadObject w) =>
        w.AutomountToken ?? graph.ServiceAccount(w.ServiceAccountKey)?.AutomountToken ?? true;
}
