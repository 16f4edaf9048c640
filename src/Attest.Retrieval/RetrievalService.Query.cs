using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Attest.Core.Audit;
using Attest.Core.Guards;
using Attest.Core.Identity;
using Attest.Core.Retrieval;

namespace Attest.Retrieval;

/// <summary>A query's answer: the chunks the caller may see, and how many candidates the guards kept out.</summary>
public sealed record RetrievalResult(IReadOnlyList<RetrievedChunk> Chunks, int Dropped, string AuditId);

public sealed partial class RetrievalService
{
    public const int MaxQueryChars = 4096;

    /// <inheritdoc />
    public async Task<IReadOnlyList<RetrievedChunk>> RetrieveAsync(RequestIdentity identity, string query, int topK, CancellationToken cancellationToken = default) =>
        (await QueryAsync(identity, new RetrievalRequest { Query = query, TopK = topK }, cancellationToken)).Chunks;

    /// <summary>
    /// Returns the best chunks the identity may see in its own tenant's index, after the guards (indirect mode):
    /// an injection is dropped and recorded, PII is redacted as the policy says. The query is recorded with the
    /// ids of what was returned (never text); if that record cannot be written nothing is returned.
    /// </summary>
    public async Task<RetrievalResult> QueryAsync(RequestIdentity identity, RetrievalRequest request, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(request.Query)) throw new RetrievalException("query_required", "query must not be empty", "query");
        if (request.Query.Length > MaxQueryChars) throw new RetrievalException("query_too_long", $"query exceeds {MaxQueryChars} characters", "query");
        if (request.TopK < 1 || request.TopK > Options.MaxTopK) throw new RetrievalException("invalid_top_k", $"top_k must be 1–{Options.MaxTopK}", "top_k");
        var tenant = identity.Tenant;
        var subjects = SubjectsOf(identity);
        var index = await _indexes.GetCurrentAsync(tenant, cancellationToken);
        var key = await _keys.GetAsync(tenant, cancellationToken);
        var terms = Tokenizer.Terms(request.Query).Select(key.TermHash).ToList();
        float[]? vector = Hybrid ? (await _embedder!.EmbedAsync([request.Query], cancellationToken))[0] : null;
        var filter = new SearchFilter(subjects,
            request.Connectors.Count > 0 ? request.Connectors.ToHashSet(StringComparer.Ordinal) : null,
            request.Classifications.Count > 0 ? request.Classifications.ToHashSet(StringComparer.Ordinal) : null);
        var hits = subjects.Count == 0 ? [] : index.Search(terms, vector, filter, request.TopK * 2 + 4, Options.K1, Options.B, Options.HybridBm25Weight);

        var payloads = hits.Count == 0 ? [] : await _store.LoadPayloadsAsync(tenant, [.. hits.Select(h => (h.Key, h.Ordinal))], cancellationToken);
        var byChunk = payloads.ToDictionary(p => (p.Key, p.Ordinal));
        var accepted = new List<RetrievedChunk>();
        int dropped = 0;
        foreach (var hit in hits)
        {
            if (accepted.Count == request.TopK) break;
            if (!byChunk.TryGetValue((hit.Key, hit.Ordinal), out var payload)) continue; // deleted since the index was read
            var text = key.DecryptString(payload.TextCiphertext, TenantKey.ChunkContext(tenant, hit.Key.Connector, hit.Key.DocumentId, hit.Ordinal));
            var meta = JsonSerializer.Deserialize(key.Decrypt(payload.MetaCiphertext, TenantKey.MetaContext(tenant, hit.Key.Connector, hit.Key.DocumentId)), RetrievalJson.Default.DocumentMeta);
            var guarded = await GuardAsync(identity, request, hit, text, cancellationToken);
            if (guarded is null) { dropped++; continue; }
            accepted.Add(new RetrievedChunk
            {
                DocumentId = hit.Key.DocumentId, ChunkId = $"{hit.Key.DocumentId}#{hit.Ordinal}", Connector = hit.Key.Connector,
                Classification = hit.Classification, Title = meta?.Title, Source = meta?.Source, Text = guarded, Score = Math.Round(hit.Score, 6),
            });
        }

        var auditId = await _audit.AppendAsync(new AuditRecord
        {
            Type = AuditEventTypes.RetrievalQuery, Tenant = tenant, Actor = Actor(identity), Subject = identity.DataSubject, DataClass = "retrievals",
            Decision = "allow",
            Digests = new Dictionary<string, string> { ["query"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(request.Query))) },
            Attributes = QueryAttributes(request, accepted, dropped),
        }, cancellationToken);
        LogQuery(_logger, tenant, accepted.Count, dropped);
        return new RetrievalResult(accepted, dropped, auditId);
    }

    private static Dictionary<string, string> QueryAttributes(RetrievalRequest request, List<RetrievedChunk> accepted, int dropped)
    {
        var highest = accepted.Count == 0 ? "none" : accepted.Select(c => c.Classification).MaxBy(Rank)!;
        return new Dictionary<string, string>
        {
            ["top_k"] = request.TopK.ToString(CultureInfo.InvariantCulture),
            ["results"] = accepted.Count.ToString(CultureInfo.InvariantCulture),
            ["documents"] = string.Join(",", accepted.Select(c => $"{c.Connector}/{c.DocumentId}").Distinct(StringComparer.Ordinal)),
            ["chunks"] = string.Join(",", accepted.Select(c => c.ChunkId)),
            ["connectors"] = string.Join(",", accepted.Select(c => c.Connector).Distinct(StringComparer.Ordinal)),
            ["classification"] = highest,
            ["classifications"] = string.Join(",", accepted.Select(c => c.Classification).Distinct(StringComparer.Ordinal)),
            ["dropped"] = dropped.ToString(CultureInfo.InvariantCulture),
        };
    }

    /// <summary>Runs the guards on one retrieved chunk. Null means drop it (injection, block, or a guard fault: fail closed).</summary>
    private async Task<string?> GuardAsync(RequestIdentity identity, RetrievalRequest request, IndexHit hit, string text, CancellationToken cancellationToken)
    {
        if (_guards is null)
        {
            if (Interlocked.Exchange(ref _warnedNoGuards, 1) == 0) LogNoGuards(_logger);
            return text;
        }
        GuardVerdict verdict;
        try
        {
            verdict = await _guards.EvaluateAsync(text, new GuardContext
            {
                Direction = GuardDirection.Retrieved, Identity = identity, Classification = hit.Classification, ConversationId = request.ConversationId,
            }, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A guard that throws is a fault: keep the chunk out (fail closed).
            verdict = new GuardVerdict { Action = GuardAction.Block, Text = "", Faulted = true, Reasons = ["guard.fault"] };
        }
        bool injection = verdict.Findings.Any(f => f.Type.StartsWith("injection", StringComparison.Ordinal));
        if (verdict.Action == GuardAction.Block || verdict.Faulted || injection)
        {
            await _audit.AppendAsync(new AuditRecord
            {
                Type = AuditEventTypes.GuardFinding, Tenant = identity.Tenant, Actor = Actor(identity), Subject = identity.DataSubject,
                Decision = "block", Reasons = verdict.Reasons.Count > 0 ? verdict.Reasons : [.. verdict.Findings.Select(f => f.RuleId).Distinct()],
                Attributes = new Dictionary<string, string>
                {
                    ["direction"] = "retrieved", ["connector"] = hit.Key.Connector, ["document"] = hit.Key.DocumentId,
                    ["chunk"] = $"{hit.Key.DocumentId}#{hit.Ordinal}", ["classification"] = hit.Classification,
                    ["findings"] = string.Join(",", verdict.Findings.Select(f => f.Type).Distinct(StringComparer.Ordinal)),
                    ["faulted"] = verdict.Faulted ? "true" : "false", ["action"] = "dropped",
                },
            }, cancellationToken);
            return null;
        }
        return verdict.Action == GuardAction.Redact ? verdict.Text : text;
    }
}
