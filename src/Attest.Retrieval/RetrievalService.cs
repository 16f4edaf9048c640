using System.Text.RegularExpressions;
using Attest.Core.Audit;
using Attest.Core.Config;
using Attest.Core.Guards;
using Attest.Core.Identity;
using Attest.Core.Retrieval;
using Microsoft.Extensions.Logging;

namespace Attest.Retrieval;

/// <summary>
/// Permission-aware retrieval: ingestion from declared connectors, deletion, ACL sync and queries that return only
/// what the caller may see, through the guards in indirect mode, with every step recorded. Thread-safe.
/// </summary>
public sealed partial class RetrievalService : IContextRetriever
{
    private readonly IRetrievalStore _store;
    private readonly IPolicySource _policy;
    private readonly TenantKeyring _keys;
    private readonly TenantIndexCache _indexes;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly IAuditLog _audit;
    private readonly IGuardPipeline? _guards;
    private readonly IEmbeddingProvider? _embedder;
    private int _warnedNoGuards;

    public RetrievalService(IRetrievalStore store, IPolicySource policy, MasterKey masterKey, TimeProvider time, ILogger<RetrievalService> logger,
        IAuditLog? audit = null, IGuardPipeline? guards = null, IEmbeddingProvider? embedder = null, RetrievalOptions? options = null)
    {
        Options = options ?? RetrievalOptions.Default;
        Options.Validate();
        _store = store;
        _policy = policy;
        _time = time;
        _logger = logger;
        _audit = audit ?? NullAuditLog.Instance;
        _guards = guards;
        _embedder = embedder;
        _keys = new TenantKeyring(store, masterKey, time);
        _indexes = new TenantIndexCache(store, _keys);
    }

    public RetrievalOptions Options { get; }

    /// <summary>Hybrid ranking is on when an embedding provider is available and attest.yaml declares an embedding model.</summary>
    public bool Hybrid => _embedder is not null && _policy.Current.Config.Models.Any(m => string.Equals(m.Kind, "embedding", StringComparison.Ordinal));

    /// <summary>The caller's ACL subjects: the end user (else the key's principal) and their groups. The key never broadens an end user's view.</summary>
    public static IReadOnlyCollection<string> SubjectsOf(RequestIdentity identity)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        var user = identity.EndUser is { Length: > 0 } u ? u : identity.Principal;
        if (!string.IsNullOrEmpty(user)) set.Add("user:" + user);
        foreach (var g in identity.Groups) if (!string.IsNullOrEmpty(g)) set.Add("group:" + g);
        return set;
    }

    /// <summary>Checks ACL entries; throws <see cref="RetrievalException"/> naming the bad one.</summary>
    public static void ValidateAcl(DocumentAcl acl, string param)
    {
        if (acl.Allow.Count == 0)
            throw new RetrievalException("acl_required", "the ACL must allow at least one 'user:<id>' or 'group:<id>' (documents are visible to nobody by default)", param + ".allow");
        foreach (var (list, name) in new[] { (acl.Allow, "allow"), (acl.Deny, "deny") })
            foreach (var e in list)
                if (!AclEntry().IsMatch(e))
                    throw new RetrievalException("invalid_acl", $"ACL entry '{Truncate(e)}' must be 'user:<id>' or 'group:<id>'", $"{param}.{name}");
    }

    /// <summary>Records a refused retrieval operation (e.g. a tenant mismatch or a missing scope).</summary>
    public async Task RecordDenialAsync(RequestIdentity identity, string operation, string code, CancellationToken cancellationToken = default)
    {
        await _audit.AppendAsync(new AuditRecord
        {
            Type = AuditEventTypes.RetrievalDenied,
            Tenant = identity.Tenant,
            Actor = Actor(identity),
            Subject = identity.DataSubject,
            Decision = "deny",
            Reasons = [code],
            Attributes = new Dictionary<string, string> { ["operation"] = operation, ["code"] = code },
        }, cancellationToken);
        LogDenied(_logger, identity.Tenant, operation, code);
    }

    private static AuditActor Actor(RequestIdentity id) =>
        new() { KeyId = id.KeyId, Principal = id.Principal, Agent = id.Agent, EndUser = id.EndUser };

    private static string Truncate(string s) => s.Length <= 64 ? s : s[..64] + "…";

    private static int Rank(string classification)
    {
        for (int i = 0; i < ConnectorCatalog.Classifications.Count; i++)
            if (ConnectorCatalog.Classifications[i] == classification) return i;
        return ConnectorCatalog.Classifications.Count;
    }

    [GeneratedRegex(@"^(user|group):[^\s:][^\s]{0,199}$", RegexOptions.CultureInvariant)]
    private static partial Regex AclEntry();

    [LoggerMessage(Level = LogLevel.Warning, Message = "No guard pipeline is registered: retrieved chunks are forwarded without indirect-injection or PII checks. Register IGuardPipeline in production.")]
    private static partial void LogNoGuards(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "retrieval denied: tenant {Tenant} operation {Operation} code {Code}")]
    private static partial void LogDenied(ILogger logger, string tenant, string operation, string code);

    [LoggerMessage(Level = LogLevel.Information, Message = "ingested into tenant {Tenant}: {Changed} of {Total} documents changed, {Chunks} chunks")]
    private static partial void LogIngested(ILogger logger, string tenant, int changed, int total, int chunks);

    [LoggerMessage(Level = LogLevel.Debug, Message = "retrieval in tenant {Tenant}: {Results} results, {Dropped} dropped by guards")]
    private static partial void LogQuery(ILogger logger, string tenant, int results, int dropped);
}
