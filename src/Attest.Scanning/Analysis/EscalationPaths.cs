using Attest.Scanning.Model;
using Attest.Scanning.Rules;

namespace Attest.Scanning.Analysis;

/// <summary>
/// Multi-hop escalation (ATT-K8S-023). Identities are nodes; an edge means "X can act as Y": create pods or
/// workloads in Y's namespace (run a pod as Y), mint Y's token, impersonate Y, read Y's token Secret, exec into a pod
/// that mounts Y's token, or bind/escalate (become an admin). A path is reported when its end holds power
/// (critical capabilities, by scope) that neither the start nor any earlier hop holds. Shortest paths only, at most
/// <see cref="MaxHops"/> hops.
/// </summary>
internal sealed class EscalationPaths
{
    public const int MaxHops = 4;
    private const string ClusterAdmin = "cluster-admin (self-granted)";

    private static readonly string[] PowerRules =
        ["ATT-K8S-003", "ATT-K8S-004", "ATT-K8S-006", "ATT-K8S-007", "ATT-K8S-008", "ATT-K8S-009", "ATT-K8S-010", "ATT-K8S-011", "ATT-K8S-012", "ATT-K8S-013", "ATT-K8S-017"];

    private readonly RbacGraph _graph;
    private readonly Dictionary<string, HashSet<string>> _power = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, SourceLocation>> _powerAt = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<(string To, string Action, SourceLocation At)>> _edges = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SortedSet<string>> _accountsByNamespace = new(StringComparer.Ordinal);

    private readonly Dictionary<string, List<TokenSecretObject>> _secretsByNamespace;
    private readonly Dictionary<string, List<WorkloadObject>> _mountingWorkloadsByNamespace;

    private EscalationPaths(RbacGraph graph)
    {
        _graph = graph;
        _secretsByNamespace = graph.Manifests.TokenSecrets.GroupBy(t => t.Namespace, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        _mountingWorkloadsByNamespace = graph.Manifests.Workloads.Where(w => WorkloadChecks.MountsToken(graph, w))
            .GroupBy(w => w.Namespace, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
    }

    public static void Run(RbacGraph graph, List<Finding> findings)
    {
        var paths = new EscalationPaths(graph);
        var starts = paths.Build();
        foreach (var start in starts) paths.Search(start, findings);
    }

    private List<RbacSubject> Build()
    {
        var subjects = new SortedDictionary<string, RbacSubject>(StringComparer.Ordinal);
        foreach (var s in _graph.Subjects)
        {
            subjects[s.Key] = s;
            if (s.Kind == "ServiceAccount") Add(s);
        }
        foreach (var sa in _graph.Manifests.ServiceAccounts) Add(new RbacSubject("ServiceAccount", sa.Name, sa.Namespace));
        foreach (var w in _graph.Manifests.Workloads) Add(new RbacSubject("ServiceAccount", w.ServiceAccountName, w.Namespace));
        _power[ClusterAdmin] = ["ATT-K8S-002@*"];
        foreach (var s in subjects.Values) _power[s.Key] = PowerOf(s);
        foreach (var s in subjects.Values) _edges[s.Key] = EdgesOf(s);
        return subjects.Values.Where(s => s is not { Kind: "Group", Name: "system:masters" }).ToList();

        void Add(RbacSubject sa)
        {
            subjects.TryAdd(sa.Key, sa);
            if (!_accountsByNamespace.TryGetValue(sa.Namespace!, out var set)) _accountsByNamespace[sa.Namespace!] = set = new SortedSet<string>(StringComparer.Ordinal);
            set.Add(sa.Key);
        }
    }

    private HashSet<string> PowerOf(RbacSubject s)
    {
        var power = new HashSet<string>(StringComparer.Ordinal);
        var at = _powerAt[s.Key] = new Dictionary<string, SourceLocation>(StringComparer.Ordinal);
        foreach (var g in _graph.EffectiveGrants(s))
        {
            var scope = g.Scope ?? "*";
            if (Permissions.IsFullWildcard(g.Rule)) Add($"ATT-K8S-002@{scope}", g);
            foreach (var r in PowerRules)
                if (PermissionChecks.Grants(g, r)) Add($"{r}@{scope}", g);
        }
        return power;

        void Add(string token, Grant g)
        {
            if (power.Add(token)) at[token] = g.PrimaryLocation;
        }
    }

    private List<(string, string, SourceLocation)> EdgesOf(RbacSubject s)
    {
        var edges = new List<(string, string, SourceLocation)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var g in _graph.EffectiveGrants(s))
        {
            var via = $"{g.Binding.Display} -> {g.Role.Display}";
            if (PermissionChecks.Grants(g, "ATT-K8S-008"))
                Edge(g.Scope is null ? ClusterAdmin : $"admin of namespace {g.Scope}", $"bind or escalate roles {g.ScopeDisplay} ({via})", g);
            if (g.Scope is null && Permissions.AllowsAny(g.Rule, ["impersonate"], ["", "authentication.k8s.io"], ["users", "groups"]))
                Edge(ClusterAdmin, $"impersonate system:masters ({via})", g);
            var createPods = PermissionChecks.Grants(g, "ATT-K8S-007");
            var mint = PermissionChecks.Grants(g, "ATT-K8S-010");
            var impersonate = Permissions.AllowsAny(g.Rule, ["impersonate"], [""], ["serviceaccounts"]);
            var readSecrets = PermissionChecks.Grants(g, "ATT-K8S-003");
            var exec = PermissionChecks.Grants(g, "ATT-K8S-004") || PermissionChecks.Grants(g, "ATT-K8S-006");
            if (!(createPods || mint || impersonate || readSecrets || exec)) continue;
            foreach (var ns in Namespaces(g))
            {
                foreach (var sa in _accountsByNamespace[ns])
                {
                    if (sa == s.Key) continue;
                    if (createPods) Edge(sa, $"create a pod in namespace {ns} running as {sa} ({via})", g);
                    if (mint) Edge(sa, $"mint a token for {sa} ({via})", g);
                    if (impersonate) Edge(sa, $"impersonate {sa} ({via})", g);
                }
                if (readSecrets)
                    foreach (var secret in _secretsByNamespace.GetValueOrDefault(ns) ?? [])
                        Edge($"ServiceAccount {ns}/{secret.ServiceAccountName}", $"read token Secret {ns}/{secret.Name} ({via})", g);
                if (exec)
                    foreach (var w in _mountingWorkloadsByNamespace.GetValueOrDefault(ns) ?? [])
                        Edge($"ServiceAccount {w.ServiceAccountKey}", $"exec into {w.Display}, which mounts the token of {w.ServiceAccountKey} ({via})", g);
            }
        }
        return edges;

        void Edge(string to, string action, Grant g)
        {
            if (to != s.Key && seen.Add(to)) edges.Add((to, action, g.PrimaryLocation));
        }
    }

    private IEnumerable<string> Namespaces(Grant g) =>
        g.Scope is null ? _accountsByNamespace.Keys.Order(StringComparer.Ordinal) : _accountsByNamespace.ContainsKey(g.Scope) ? [g.Scope] : [];

    private void Search(RbacSubject start, List<Finding> findings)
    {
        var parent = new Dictionary<string, (string From, string Action, SourceLocation At)>(StringComparer.Ordinal);
        var held = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal) { [start.Key] = _power[start.Key] };
        var frontier = new List<string> { start.Key };
        for (var depth = 1; depth <= MaxHops && frontier.Count > 0; depth++)
        {
            var next = new List<string>();
            foreach (var from in frontier)
            {
                foreach (var (to, action, at) in _edges.GetValueOrDefault(from) ?? [])
                {
                    if (held.ContainsKey(to)) continue;
                    parent[to] = (from, action, at);
                    var gained = Power(to).Where(t => !Covered(held[from], t)).Order(StringComparer.Ordinal).ToList();
                    held[to] = [.. held[from], .. Power(to)];
                    if (gained.Count > 0) findings.Add(Report(start, to, Simplify(gained), parent, _powerAt.GetValueOrDefault(to)));
                    next.Add(to);
                }
            }
            frontier = next;
        }
    }

    private HashSet<string> Power(string node) =>
        _power.TryGetValue(node, out var p) ? p
        : node.StartsWith("admin of namespace ", StringComparison.Ordinal) ? [$"ATT-K8S-002@{node["admin of namespace ".Length..]}"] : [];

    private static bool Covered(HashSet<string> held, string token)
    {
        var at = token.IndexOf('@', StringComparison.Ordinal);
        var rule = token[..at];
        var scope = token[(at + 1)..];
        return held.Contains(token) || held.Contains($"{rule}@*") || held.Contains("ATT-K8S-002@*") || held.Contains($"ATT-K8S-002@{scope}") && scope != "*";
    }

    // Admin rights at a scope imply every other capability at that scope; list them once.
    private static List<string> Simplify(List<string> gained)
    {
        var admin = gained.Where(t => t.StartsWith("ATT-K8S-002@", StringComparison.Ordinal)).Select(t => t[12..]).ToHashSet(StringComparer.Ordinal);
        return gained.Where(t => t.StartsWith("ATT-K8S-002@", StringComparison.Ordinal) || !admin.Contains("*") && !admin.Contains(t[(t.IndexOf('@', StringComparison.Ordinal) + 1)..])).ToList();
    }

    private static Finding Report(RbacSubject start, string target, List<string> gained, Dictionary<string, (string From, string Action, SourceLocation At)> parent,
        Dictionary<string, SourceLocation>? targetPowerAt)
    {
        var hops = new List<PathHop>();
        for (var node = target; parent.TryGetValue(node, out var p) && node != start.Key; node = p.From)
            hops.Add(new PathHop(0, p.From, p.Action, node, p.At));
        hops.Reverse();
        // The last hop is using the target's own permission; point at the rule or binding that grants it.
        var payoff = targetPowerAt?.GetValueOrDefault(gained[0]) ?? hops[^1].Location;
        hops.Add(new PathHop(0, target, $"use {target}'s permissions: {string.Join(", ", gained.Select(Describe))}", target, payoff));
        hops = hops.Select((h, i) => h with { Step = i + 1 }).ToList();
        var critical = gained.Any(t => t.EndsWith("@*", StringComparison.Ordinal) && t.StartsWith("ATT-K8S-002", StringComparison.Ordinal)
            || t is "ATT-K8S-008@*" or "ATT-K8S-009@*" or "ATT-K8S-012@*" or "ATT-K8S-013@*");
        var gains = string.Join(", ", gained.Select(Describe));
        var steps = string.Join("; ", hops.Select(h => $"{h.Step}) {h.Action}"));
        var message = $"{start.Key} can gain {gains} in {hops.Count} hops through {target}: {steps}";
        var related = hops.Select(h => new RelatedLocation(h.Location, $"hop {h.Step}: {h.From} -> {h.To}")).ToList();
        return new Finding("ATT-K8S-023", critical ? Severity.Critical : Severity.High, start.Key, message, hops[0].Location, related, hops);
    }

    private static readonly Dictionary<string, string> PowerNames = new(StringComparer.Ordinal)
    {
        ["ATT-K8S-002"] = "admin rights", ["ATT-K8S-003"] = "read secrets", ["ATT-K8S-004"] = "exec into pods",
        ["ATT-K8S-006"] = "ephemeral containers", ["ATT-K8S-007"] = "create workloads", ["ATT-K8S-008"] = "escalate/bind roles",
        ["ATT-K8S-009"] = "impersonate", ["ATT-K8S-010"] = "mint tokens", ["ATT-K8S-011"] = "nodes/proxy",
        ["ATT-K8S-012"] = "approve CSRs", ["ATT-K8S-013"] = "change admission webhooks", ["ATT-K8S-017"] = "change kube-system ConfigMaps",
    };

    private static string Describe(string token)
    {
        var at = token.IndexOf('@', StringComparison.Ordinal);
        var scope = token[(at + 1)..] == "*" ? "cluster-wide" : $"in {token[(at + 1)..]}";
        return $"{PowerNames.GetValueOrDefault(token[..at], token[..at])} {scope}";
    }
}
