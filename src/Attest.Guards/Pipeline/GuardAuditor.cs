using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Attest.Core.Audit;
using Attest.Core.Guards;

namespace Attest.Guards.Pipeline;

/// <summary>
/// Turns a guard decision into an audit record: finding types, rule ids, counts, a SHA-256 of the text and
/// keyed digests (HMAC) of each span — never the content, so low-entropy PII cannot be brute-forced back.
/// Thread-safe: the keyed hash is reused per thread (its key is set once), the UTF-8 bytes go to a pooled buffer.
/// </summary>
internal sealed class GuardAuditor(IAuditLog audit, byte[] digestKey)
{
    private static readonly string[] SpanNames = [.. Enumerable.Range(0, 64).Select(i => "span." + i.ToString(CultureInfo.InvariantCulture))];

    [ThreadStatic] private static IncrementalHash? t_hmac;
    [ThreadStatic] private static byte[]? t_hmacKey;

    public ValueTask<string> AppendAsync(string text, GuardContext context, GuardVerdict verdict, CancellationToken ct)
    {
        var id = context.Identity;
        // Sized up front: one digest per finding (at most 64) and the content's, so the table never regrows.
        var digests = new Dictionary<string, string>(Math.Min(verdict.Findings.Count, 64) + 1, StringComparer.Ordinal) { ["content"] = ContentDigest(text) };
        IncrementalHash? hmac = null;
        Span<byte> mac = stackalloc byte[32];
        for (int i = 0; i < verdict.Findings.Count && i < 64; i++)
        {
            var f = verdict.Findings[i];
            if (f.Start < 0 || f.Start + f.Length > text.Length) continue;
            // The same value seen again (a repeated address or number) has the same keyed digest: reuse it.
            if (SameSpanBefore(text, verdict.Findings, i) is >= 0 and var same && digests.TryGetValue(SpanNames[same], out var known))
            {
                digests[SpanNames[i]] = known;
                continue;
            }
            hmac ??= Hmac();
            AppendUtf8(hmac, text.AsSpan(f.Start, f.Length));
            hmac.GetHashAndReset(mac);
            digests[SpanNames[i]] = Convert.ToHexStringLower(mac);
        }
        var attributes = new Dictionary<string, string>(7, StringComparer.Ordinal)
        {
            ["direction"] = DirectionName(context.Direction),
            ["finding_count"] = verdict.Findings.Count.ToString(CultureInfo.InvariantCulture),
            ["finding_types"] = FindingTypes(verdict.Findings),
            ["faulted"] = verdict.Faulted ? "true" : "false",
        };
        if (id.RequestId is { } r) attributes["request_id"] = r;
        if (context.Tool is { } t) attributes["tool"] = t;
        if (context.ConversationId is { } c) attributes["conversation"] = c;
        var record = new AuditRecord
        {
            Type = verdict.Findings.Count > 0 ? AuditEventTypes.GuardFinding : AuditEventTypes.PolicyDecision,
            Tenant = id.Tenant,
            Actor = new AuditActor { KeyId = id.KeyId, Principal = id.Principal, Agent = id.Agent, EndUser = id.EndUser },
            Subject = id.DataSubject,
            Decision = verdict.Action.ToString().ToLowerInvariant(),
            Reasons = verdict.Reasons,
            Digests = digests,
            Attributes = attributes,
        };
        return audit.AppendAsync(record, ct);
    }

    /// <summary>Index of an earlier finding whose span holds the same characters as finding <paramref name="i"/>, or -1.</summary>
    private static int SameSpanBefore(string text, IReadOnlyList<GuardFinding> findings, int i)
    {
        var value = text.AsSpan(findings[i].Start, findings[i].Length);
        for (int j = 0; j < i; j++)
        {
            var g = findings[j];
            if (g.Length == value.Length && g.Start >= 0 && g.Start + g.Length <= text.Length && text.AsSpan(g.Start, g.Length).SequenceEqual(value)) return j;
        }
        return -1;
    }

    /// <summary>The per-thread HMAC-SHA256 under this auditor's key (recreated when another auditor's key was last used).</summary>
    private IncrementalHash Hmac()
    {
        if (t_hmac is null || !ReferenceEquals(t_hmacKey, digestKey))
        {
            t_hmac?.Dispose();
            t_hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, digestKey);
            t_hmacKey = digestKey;
        }
        return t_hmac;
    }

    /// <summary>Lower-case hex SHA-256 of the UTF-8 bytes of <paramref name="text"/>.</summary>
    internal static string ContentDigest(string text)
    {
        Span<byte> hash = stackalloc byte[32];
        Span<byte> scratch = stackalloc byte[1024];
        var bytes = Utf8(text, scratch, out var rented);
        try
        {
            SHA256.HashData(bytes, hash);
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
        return Convert.ToHexStringLower(hash);
    }

    private static void AppendUtf8(IncrementalHash hash, ReadOnlySpan<char> value)
    {
        Span<byte> scratch = stackalloc byte[512];
        var bytes = Utf8(value, scratch, out var rented);
        try
        {
            hash.AppendData(bytes);
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>The UTF-8 bytes of <paramref name="value"/>, in <paramref name="scratch"/> or (when too long) a pooled array the caller returns.</summary>
    private static Span<byte> Utf8(ReadOnlySpan<char> value, Span<byte> scratch, out byte[]? rented)
    {
        int max = Encoding.UTF8.GetMaxByteCount(value.Length);
        rented = max > scratch.Length ? ArrayPool<byte>.Shared.Rent(max) : null;
        Span<byte> bytes = rented ?? scratch;
        return bytes[..Encoding.UTF8.GetBytes(value, bytes)];
    }

    private static string DirectionName(GuardDirection direction) => direction switch
    {
        GuardDirection.Input => "input",
        GuardDirection.Retrieved => "retrieved",
        GuardDirection.ToolArguments => "toolarguments",
        GuardDirection.ToolResult => "toolresult",
        GuardDirection.Output => "output",
        _ => direction.ToString().ToLowerInvariant(),
    };

    /// <summary>Distinct finding types in first-seen order, comma-separated (as <c>string.Join(',', Distinct())</c>).</summary>
    private static string FindingTypes(IReadOnlyList<GuardFinding> findings)
    {
        if (findings.Count == 0) return "";
        if (findings.Count == 1) return findings[0].Type;
        var seen = new List<string>(4);
        foreach (var f in findings)
            if (!seen.Contains(f.Type, StringComparer.Ordinal)) seen.Add(f.Type);
        return string.Join(',', seen);
    }
}
