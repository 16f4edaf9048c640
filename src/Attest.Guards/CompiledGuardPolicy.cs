using System.Buffers;
using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Text.RegularExpressions;
using Attest.Core.Config;
using Attest.Core.Guards;
using Attest.Guards.Pipeline;
using Attest.Guards.Schema;

namespace Attest.Guards;

/// <summary>
/// The guard policy for one tenant and agent, compiled once per policy snapshot: the applicable
/// <see cref="GuardPolicyConfig"/> entries merged (route-specific over agent-specific over tenant-specific over global),
/// keyword searchers and regexes built, the output schema parsed. Immutable and thread-safe.
/// </summary>
public sealed class CompiledGuardPolicy
{
    private readonly FrozenDictionary<string, FrozenDictionary<string, GuardAction>> _actions;

    public CompiledGuardPolicy(IEnumerable<GuardPolicyConfig> applicable, IReadOnlyList<string> canaries)
    {
        // Least specific first, so more specific entries overwrite (route over agent over tenant over global).
        var ordered = applicable.OrderBy(p => (p.Models.Count > 0 ? 4 : 0) + (p.Agents.Count > 0 ? 2 : 0) + (p.Tenants.Count > 0 ? 1 : 0)).ToList();
        PolicyIds = [.. ordered.Select(p => p.Id)];
        var actions = new Dictionary<string, Dictionary<string, GuardAction>>(StringComparer.OrdinalIgnoreCase);
        var keywords = new List<string>();
        var deny = new List<Regex>();
        var allow = new List<Regex>();
        foreach (var p in ordered)
        {
            foreach (var (dir, map) in p.Actions)
            {
                if (!actions.TryGetValue(dir, out var m)) actions[dir] = m = new(StringComparer.OrdinalIgnoreCase);
                foreach (var (type, action) in map) m[type] = DefaultActions.Parse(action);
            }
            RedactionMode = p.RedactionMode.ToLowerInvariant() switch
            {
                "placeholder" or "hash" or "pseudonymize" => p.RedactionMode.ToLowerInvariant(),
                "pseudonymise" => "pseudonymize",
                _ => throw new FormatException($"guard policy '{p.Id}': unknown redactionMode '{p.RedactionMode}'"),
            };
            if (p.InjectionThreshold is < 0 or > 1) throw new FormatException($"guard policy '{p.Id}': injectionThreshold must be 0–1");
            InjectionThreshold = p.InjectionThreshold;
            keywords.AddRange(p.DenyKeywords.Where(k => k.Length > 0));
            deny.AddRange(p.DenyPatterns.Select(x => Compile(p.Id, x)));
            allow.AddRange(p.AllowPatterns.Select(x => Compile(p.Id, x)));
            if (p.OutputSchema is { Count: > 0 } schema) OutputSchema = OutputSchema.Compile(schema);
            RetryOnSchemaFailure = string.Equals(p.OnSchemaFailure, "retry", StringComparison.OrdinalIgnoreCase);
        }
        _actions = actions.ToFrozenDictionary(kv => kv.Key, kv => kv.Value.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase), StringComparer.OrdinalIgnoreCase);
        DenyKeywordList = [.. keywords.Distinct(StringComparer.OrdinalIgnoreCase).OrderByDescending(k => k.Length)];
        DenyKeywords = DenyKeywordList.Length > 0 ? SearchValues.Create(DenyKeywordList, StringComparison.OrdinalIgnoreCase) : null;
        DenyPatterns = deny;
        AllowPatterns = allow;
        CanaryList = [.. canaries.Where(c => c.Length >= 6).Distinct(StringComparer.Ordinal)];
        Canaries = CanaryList.Length > 0 ? SearchValues.Create(CanaryList, StringComparison.Ordinal) : null;
    }

    /// <summary>The policy that applies when attest.yaml has no <c>guards:</c> entries (defaults only).</summary>
    public static CompiledGuardPolicy Default { get; } = new([], []);

    public IReadOnlyList<string> PolicyIds { get; }
    /// <summary><c>placeholder</c> (default), <c>hash</c> or <c>pseudonymize</c>.</summary>
    public string RedactionMode { get; } = "placeholder";
    public double InjectionThreshold { get; } = 0.5;
    public string[] DenyKeywordList { get; }
    public SearchValues<string>? DenyKeywords { get; }
    public IReadOnlyList<Regex> DenyPatterns { get; }
    public IReadOnlyList<Regex> AllowPatterns { get; }
    public OutputSchema? OutputSchema { get; }
    public bool RetryOnSchemaFailure { get; }
    public string[] CanaryList { get; }
    public SearchValues<string>? Canaries { get; }

    /// <summary>The action for a finding type in a direction: policy (most specific direction key and type first), else the default.</summary>
    public GuardAction ActionFor(GuardDirection direction, string type)
    {
        // Finding types are a small fixed set: resolve each (direction, type) once per compiled policy.
        var cache = (uint)direction < (uint)_resolved.Length ? _resolved[(int)direction] : null;
        if (cache is null) return Resolve(direction, type);
        if (cache.TryGetValue(type, out var known)) return known;
        var action = Resolve(direction, type);
        if (cache.Count < 4096) cache.TryAdd(type, action);
        return action;
    }

    private readonly ConcurrentDictionary<string, GuardAction>[] _resolved =
        [.. Enum.GetValues<GuardDirection>().Select(_ => new ConcurrentDictionary<string, GuardAction>(StringComparer.Ordinal))];

    private GuardAction Resolve(GuardDirection direction, string type)
    {
        foreach (var key in DefaultActions.Keys(direction))
        {
            if (!_actions.TryGetValue(key, out var map)) continue;
            for (string t = type; ; t = t[..t.LastIndexOf('.')])
            {
                if (map.TryGetValue(t, out var a)) return a;
                if (!t.Contains('.', StringComparison.Ordinal)) break;
            }
        }
        return DefaultActions.For(direction, type);
    }

    private static Regex Compile(string policy, string pattern)
    {
        try { return new Regex(pattern, RegexOptions.CultureInvariant | RegexOptions.IgnoreCase | RegexOptions.NonBacktracking, TimeSpan.FromMilliseconds(250)); }
        catch (ArgumentException e) { throw new FormatException($"guard policy '{policy}': invalid pattern ({e.GetType().Name})", e); }
    }
}
