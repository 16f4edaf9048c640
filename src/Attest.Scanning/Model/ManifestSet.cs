namespace Attest.Scanning.Model;

/// <summary>Everything read from the inputs, each list in source order (file, line, column).</summary>
public sealed class ManifestSet
{
    public List<ServiceAccountObject> ServiceAccounts { get; } = [];
    public List<RbacRole> Roles { get; } = [];
    public List<RbacBinding> Bindings { get; } = [];
    public List<WorkloadObject> Workloads { get; } = [];
    public List<TokenSecretObject> TokenSecrets { get; } = [];
    /// <summary>Objects of kinds the scan does not evaluate (Services, ConfigMaps, …).</summary>
    public int IgnoredObjects { get; set; }
    /// <summary>Observations about the input that are not findings (duplicates, documents without kind).</summary>
    public List<string> Notes { get; } = [];

    public int ObjectCount => ServiceAccounts.Count + Roles.Count + Bindings.Count + Workloads.Count + TokenSecrets.Count;

    /// <summary>Sorts every list by location so that input order never changes the result, and drops later duplicates.</summary>
    public void Normalise()
    {
        Dedupe(ServiceAccounts, s => $"{s.Namespace}/{s.Name}", s => s.Location, "ServiceAccount");
        Dedupe(Roles, r => $"{r.Kind} {r.Namespace}/{r.Name}", r => r.Location, "role");
        Dedupe(Bindings, b => $"{b.Kind} {b.Namespace}/{b.Name}", b => b.Location, "binding");
        Dedupe(Workloads, w => $"{w.Kind} {w.Namespace}/{w.Name}", w => w.Location, "workload");
        Dedupe(TokenSecrets, s => $"{s.Namespace}/{s.Name}", s => s.Location, "Secret");
        Notes.Sort(StringComparer.Ordinal);
    }

    private void Dedupe<T>(List<T> items, Func<T, string> key, Func<T, SourceLocation> location, string what)
    {
        items.Sort((a, b) => location(a).CompareTo(location(b)));
        var seen = new Dictionary<string, SourceLocation>(StringComparer.Ordinal);
        items.RemoveAll(item =>
        {
            if (seen.TryAdd(key(item), location(item))) return false;
            Notes.Add($"{location(item)}: duplicate {what} {key(item)} ignored (first defined at {seen[key(item)]})");
            return true;
        });
    }
}
