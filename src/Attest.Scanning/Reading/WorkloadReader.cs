using Attest.Scanning.Model;

namespace Attest.Scanning.Reading;

/// <summary>Finds the pod spec of a workload kind and reads its service account and token automount.</summary>
internal static class WorkloadReader
{
    /// <summary>The agent annotation, read on the workload and on its pod template.</summary>
    public const string AgentAnnotation = "attest.dev/agent";

    public static WorkloadObject? Read(string kind, string name, string ns, IReadOnlyDictionary<string, string> annotations,
        YMap map, string file, SourceLocation at)
    {
        string[]? path = kind switch
        {
            "Pod" => [],
            "Deployment" or "StatefulSet" or "DaemonSet" or "ReplicaSet" or "ReplicationController" or "Job" => ["template"],
            "CronJob" => ["jobTemplate", "spec", "template"],
            _ => null,
        };
        if (path is null) return null;
        var node = map.Map("spec", file) ?? throw new ManifestException(at, $"{kind} {name} without 'spec'");
        YMap? templateMeta = null;
        foreach (var step in path)
        {
            node = node.Map(step, file) ?? throw new ManifestException(node.At(file), $"{kind} {name}: missing '{step}'");
            if (step == "template") templateMeta = node.Map("metadata", file);
        }
        var podSpec = path.Length == 0 ? node : node.Map("spec", file) ?? throw new ManifestException(node.At(file), $"{kind} {name}: pod template without 'spec'");
        var sa = podSpec.Str("serviceAccountName", file) ?? podSpec.Str("serviceAccount", file) ?? "default";
        var merged = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in annotations) merged[k] = v;
        foreach (var (k, v) in templateMeta.StringMap("annotations", file)) merged.TryAdd(k, v);
        return new WorkloadObject(kind, name, ns, sa, podSpec.Bool("automountServiceAccountToken", file), merged, at);
    }
}
