using System.Collections.Frozen;

namespace Attest.Core.Config;

/// <summary>
/// The compiled, immutable form of an <see cref="AttestConfig"/>: indexed lookups for the hot path.
/// A new snapshot is built on every accepted reload and swapped atomically; readers keep the one
/// they started with. Thread-safe.
/// </summary>
public sealed class PolicySnapshot
{
    public PolicySnapshot(AttestConfig config, string contentHash, string? sourcePath = null, string? baseDirectory = null)
    {
        Config = config;
        ContentHash = contentHash;
        SourcePath = sourcePath;
        BaseDirectory = baseDirectory ?? (sourcePath is null ? Directory.GetCurrentDirectory() : Path.GetDirectoryName(Path.GetFullPath(sourcePath))!);
        Tenants = config.Tenants.DistinctBy(t => t.Id).ToFrozenDictionary(t => t.Id, StringComparer.Ordinal);
        Principals = config.Principals.DistinctBy(p => p.Id).ToFrozenDictionary(p => p.Id, StringComparer.Ordinal);
        Providers = config.Providers.DistinctBy(p => p.Id).ToFrozenDictionary(p => p.Id, StringComparer.Ordinal);
        Models = config.Models.DistinctBy(m => m.Alias).ToFrozenDictionary(m => m.Alias, StringComparer.Ordinal);
        Agents = config.Agents.DistinctBy(a => a.Id).ToFrozenDictionary(a => a.Id, StringComparer.Ordinal);
        Tools = config.Tools.DistinctBy(t => t.Id).ToFrozenDictionary(t => t.Id, StringComparer.Ordinal);
        Connectors = config.Connectors.DistinctBy(c => c.Id).ToFrozenDictionary(c => c.Id, StringComparer.Ordinal);
    }

    public AttestConfig Config { get; }
    /// <summary>SHA-256 (hex) of the source text: the config version id.</summary>
    public string ContentHash { get; }
    public string? SourcePath { get; }
    /// <summary>The YAML text this snapshot was compiled from (stored as a config version); null when built from records.</summary>
    public string? SourceText { get; init; }
    /// <summary>Folder that relative paths in the config resolve from.</summary>
    public string BaseDirectory { get; }
    public FrozenDictionary<string, TenantConfig> Tenants { get; }
    public FrozenDictionary<string, PrincipalConfig> Principals { get; }
    public FrozenDictionary<string, ProviderConfig> Providers { get; }
    public FrozenDictionary<string, ModelConfig> Models { get; }
    public FrozenDictionary<string, AgentConfig> Agents { get; }
    public FrozenDictionary<string, ToolConfig> Tools { get; }
    public FrozenDictionary<string, ConnectorConfig> Connectors { get; }

    /// <summary>Groups of a user: those declared on the principal plus groups that list the user as a member.</summary>
    public IReadOnlyList<string> GroupsOf(string user)
    {
        var groups = new SortedSet<string>(StringComparer.Ordinal);
        if (Principals.TryGetValue(user, out var p)) groups.UnionWith(p.Groups);
        foreach (var g in Config.Groups) if (g.Members.Contains(user, StringComparer.Ordinal)) groups.Add(g.Id);
        return [.. groups];
    }

    /// <summary>Resolves a secret reference now (environment variable or file). Returns null when unset or unreadable.</summary>
    public string? ResolveSecret(SecretRef? secret)
    {
        if (secret is null) return null;
        if (secret.Env is { Length: > 0 } env) return System.Environment.GetEnvironmentVariable(env);
        if (secret.File is { Length: > 0 } file)
        {
            var path = Path.IsPathRooted(file) ? file : Path.Combine(BaseDirectory, file);
            return File.Exists(path) ? File.ReadAllText(path).Trim() : null;
        }
        return null;
    }
}

/// <summary>Hands out the current policy snapshot. Implementations swap it atomically on reload. Thread-safe.</summary>
public interface IPolicySource
{
    PolicySnapshot Current { get; }
    /// <summary>Raised after a new snapshot became current.</summary>
    event Action<PolicySnapshot>? Changed;
}

/// <summary>A policy source that never changes (tests, one-shot CLI verbs).</summary>
public sealed class StaticPolicySource(PolicySnapshot snapshot) : IPolicySource
{
    public PolicySnapshot Current { get; } = snapshot;
    public event Action<PolicySnapshot>? Changed { add { } remove { } }
}
