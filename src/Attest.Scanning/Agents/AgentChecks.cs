using Attest.Core.Config;
using Attest.Scanning.Analysis;
using Attest.Scanning.Model;
using Attest.Scanning.Reading;
using Attest.Scanning.Rules;

namespace Attest.Scanning.Agents;

/// <summary>An Attest agent as the scan sees it: its service accounts and its declared Kubernetes permissions.</summary>
public sealed record AgentView(string Id, IReadOnlyList<string> ServiceAccounts, IReadOnlyList<string> Declared, string DeclaredIn);

/// <summary>
/// Agent-aware rules: excess privilege beyond the declared domain (-024), foreign credentials (-025) and service
/// accounts claimed by two agents (-026). Service accounts map to agents by the annotation <c>attest.dev/agent</c>
/// or by <c>agents[].serviceAccounts</c> in attest.yaml; declared permissions come from <c>agents[].kubernetesPermissions</c>,
/// else from the service account annotation <c>attest.dev/kubernetes-permissions</c> (entries separated by ';').
/// </summary>
internal static class AgentChecks
{
    public const string PermissionsAnnotation = "attest.dev/kubernetes-permissions";

    public static List<AgentView> Run(RbacGraph graph, PolicySnapshot? policy, List<Finding> findings, List<string> notes)
    {
        var configPath = policy?.SourcePath is { } p ? Path.GetFileName(p) : "attest.yaml";
        var owner = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var sa in graph.Manifests.ServiceAccounts)
            if (sa.Annotations.TryGetValue(WorkloadReader.AgentAnnotation, out var id) && id.Length > 0) owner[sa.Key] = id;
        foreach (var agent in policy?.Config.Agents.OrderBy(a => a.Id, StringComparer.Ordinal) ?? Enumerable.Empty<AgentConfig>())
        {
            foreach (var key in agent.ServiceAccounts.Order(StringComparer.Ordinal))
            {
                if (owner.TryGetValue(key, out var other) && other != agent.Id)
                {
                    var at = graph.ServiceAccount(key)?.Location ?? new SourceLocation(configPath, 1, 1);
                    findings.Add(new Finding("ATT-K8S-026", Severity.Medium, $"ServiceAccount {key}",
                        $"ServiceAccount {key} is assigned to agent {other} and to agent {agent.Id}", at, [], [], agent.Id));
                    continue;
                }
                owner[key] = agent.Id;
            }
        }
        var views = new List<AgentView>();
        foreach (var group in owner.GroupBy(kv => kv.Value, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var agentId = group.Key;
            var config = policy?.Agents.GetValueOrDefault(agentId);
            if (policy is not null && config is null) notes.Add($"agent '{agentId}' named by a service-account annotation is not in {configPath}");
            var accounts = group.Select(kv => kv.Key).ToList();
            foreach (var key in accounts)
            {
                var (declared, source) = Declarations(graph, config, key, configPath);
                views.Add(new AgentView(agentId, [key], declared.Select(d => d.Text).ToList(), source));
                Excess(graph, agentId, key, declared.Select(d => d.Permission).ToList(), findings);
            }
        }
        ForeignCredentials(graph, owner, findings);
        return views;
    }

    private static (List<(string Text, DeclaredPermission Permission)>, string) Declarations(RbacGraph graph, AgentConfig? config, string key, string configPath)
    {
        var sa = graph.ServiceAccount(key);
        IEnumerable<string> texts;
        string source;
        SourceLocation at;
        if (config is not null && (config.KubernetesPermissions.Count > 0 || sa?.Annotations.ContainsKey(PermissionsAnnotation) != true))
        {
            texts = config.KubernetesPermissions;
            source = configPath;
            at = new SourceLocation(configPath, 1, 1);
        }
        else if (sa is not null && sa.Annotations.TryGetValue(PermissionsAnnotation, out var annotation))
        {
            texts = annotation.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            source = $"{sa.Location} annotation {PermissionsAnnotation}";
            at = sa.Location;
        }
        else
        {
            return ([], "none declared");
        }
        var result = new List<(string, DeclaredPermission)>();
        foreach (var text in texts)
        {
            var p = DeclaredPermission.Parse(text, out var error) ?? throw new ManifestException(at, $"agent permission {error}");
            result.Add((text, p));
        }
        return (result, source);
    }

    private static void Excess(RbacGraph graph, string agentId, string key, List<DeclaredPermission> declared, List<Finding> findings)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        var subject = new RbacSubject("ServiceAccount", key[(slash + 1)..], key[..slash]);
        foreach (var grant in graph.EffectiveGrants(subject))
        {
            if (Builtins.IsBuiltin(grant)) continue;
            var extra = new List<string>();
            foreach (var (verb, group, resource) in Expand(grant.Rule))
            {
                if (!declared.Any(d => d.Covers(verb, group, resource, grant.Scope, subject.Namespace!)))
                    extra.Add($"{verb} {resource}{(group.Length > 0 && !resource.StartsWith('/') ? "." + group : "")}");
            }
            if (extra.Count == 0) continue;
            var shown = string.Join(", ", extra.Take(8)) + (extra.Count > 8 ? $" and {extra.Count - 8} more" : "");
            var declaredText = declared.Count == 0 ? "declares no Kubernetes permissions" : "does not declare them";
            var via = grant.ViaGroup is null ? "" : $" (through group {grant.ViaGroup})";
            var finding = PermissionChecks.Make("ATT-K8S-024", Severity.High, grant,
                $"agent {agentId} (ServiceAccount {key}) holds {shown} {grant.ScopeDisplay} via {grant.Binding.Display} -> {grant.Role.Display}{via}; the agent {declaredText}");
            findings.Add(finding with { Agent = agentId });
        }
    }

    private static IEnumerable<(string Verb, string Group, string Resource)> Expand(PolicyRule rule)
    {
        foreach (var verb in rule.Verbs)
        {
            foreach (var url in rule.NonResourceUrls) yield return (verb, "", url);
            foreach (var group in rule.ApiGroups)
                foreach (var resource in rule.Resources)
                    yield return (verb, group, resource);
        }
    }

    private static void ForeignCredentials(RbacGraph graph, SortedDictionary<string, string> owner, List<Finding> findings)
    {
        foreach (var w in graph.Manifests.Workloads)
        {
            w.Annotations.TryGetValue(WorkloadReader.AgentAnnotation, out var workloadAgent);
            owner.TryGetValue(w.ServiceAccountKey, out var accountAgent);
            if (string.IsNullOrEmpty(workloadAgent) && accountAgent is null || workloadAgent == accountAgent) continue;
            var (severity, message) = (string.IsNullOrEmpty(workloadAgent), accountAgent) switch
            {
                (true, _) => (Severity.Medium, $"{w.Display} is not an agent workload but runs under agent {accountAgent}'s ServiceAccount {w.ServiceAccountKey}"),
                (false, null) => (Severity.High, $"{w.Display} belongs to agent {workloadAgent} but runs under ServiceAccount {w.ServiceAccountKey}, which is not assigned to it"),
                _ => (Severity.High, $"{w.Display} belongs to agent {workloadAgent} but runs under agent {accountAgent}'s ServiceAccount {w.ServiceAccountKey}"),
            };
            findings.Add(new Finding("ATT-K8S-025", severity, w.Display, message, w.Location, [], [], string.IsNullOrEmpty(workloadAgent) ? accountAgent : workloadAgent));
        }
    }
}
