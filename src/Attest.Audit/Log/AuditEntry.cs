using System.Globalization;
using System.Text.Json;
using Attest.Audit.Canonical;
using Attest.Core.Audit;

namespace Attest.Audit.Log;

/// <summary>
/// The hashed skeleton of one audit event (event model version 1, docs/audit-events.md). Its
/// canonical encoding is the Merkle leaf's entry; the payload appears only as a reference to its
/// ciphertext (digest, length, key id), so purging or shredding the ciphertext keeps the log
/// verifiable. Immutable.
/// </summary>
public sealed record AuditEntry
{
    public const int ModelVersion = 1;
    internal const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    public required string Id { get; init; }
    public required long Sequence { get; init; }
    public required DateTimeOffset Time { get; init; }
    public required string Type { get; init; }
    public required string Tenant { get; init; }
    public AuditActor Actor { get; init; } = new();
    public string? Subject { get; init; }
    public string DataClass { get; init; } = "events";
    public AuditModel? Model { get; init; }
    public string? Decision { get; init; }
    public IReadOnlyList<string> Reasons { get; init; } = [];
    public int? InputTokens { get; init; }
    public int? OutputTokens { get; init; }
    /// <summary>Latency in whole microseconds (the canonical form has integers only).</summary>
    public long? LatencyMicros { get; init; }
    public IReadOnlyDictionary<string, string> Digests { get; init; } = new Dictionary<string, string>();
    public IReadOnlyDictionary<string, string> Attributes { get; init; } = new Dictionary<string, string>();
    public PayloadReference? Payload { get; init; }

    /// <summary>The canonical encoding (docs/audit-events.md): the bytes the Merkle leaf hashes. Thread-safe.</summary>
    public byte[] Encode() => AuditEntryEncoder.Encode(this);

    /// <summary>
    /// The same encoding built the general way, as a dictionary given to <see cref="CanonicalJson.Encode"/>:
    /// the reference the fast encoder is tested against. Thread-safe.
    /// </summary>
    public byte[] EncodeReference()
    {
        var o = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["v"] = ModelVersion,
            ["id"] = Id,
            ["seq"] = Sequence,
            ["time"] = Time.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture),
            ["type"] = Type,
            ["tenant"] = Tenant,
            ["subject"] = Subject,
            ["class"] = DataClass,
            ["decision"] = Decision,
            ["inTok"] = InputTokens,
            ["outTok"] = OutputTokens,
            ["latUs"] = LatencyMicros,
        };
        var actor = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["keyId"] = Actor.KeyId, ["principal"] = Actor.Principal, ["agent"] = Actor.Agent,
            ["endUser"] = Actor.EndUser, ["admin"] = Actor.Admin,
        };
        if (actor.Values.Any(v => v is not null)) o["actor"] = actor;
        if (Model is not null)
            o["model"] = new Dictionary<string, object?>(StringComparer.Ordinal) { ["alias"] = Model.Alias, ["version"] = Model.Version, ["provider"] = Model.Provider };
        if (Reasons.Count > 0) o["reasons"] = Reasons;
        if (Digests.Count > 0) o["digests"] = Digests;
        if (Attributes.Count > 0) o["attrs"] = Attributes;
        if (Payload is not null)
            o["payload"] = new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["alg"] = Payload.Algorithm, ["key"] = Payload.KeyId, ["sha256"] = Payload.Sha256, ["len"] = Payload.Length,
            };
        return CanonicalJson.Encode(o);
    }

    /// <summary>Parses a canonical entry. Throws <see cref="FormatException"/> when it is not a version-1 entry.</summary>
    public static AuditEntry Decode(ReadOnlySpan<byte> canonical)
    {
        try
        {
            var reader = new Utf8JsonReader(canonical);
            using var doc = JsonDocument.ParseValue(ref reader);
            var r = doc.RootElement;
            if (r.GetProperty("v").GetInt32() != ModelVersion) throw new FormatException("unknown event model version");
            return new AuditEntry
            {
                Id = r.GetProperty("id").GetString()!,
                Sequence = r.GetProperty("seq").GetInt64(),
                Time = DateTimeOffset.ParseExact(r.GetProperty("time").GetString()!, TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
                Type = r.GetProperty("type").GetString()!,
                Tenant = r.GetProperty("tenant").GetString()!,
                Subject = Str(r, "subject"),
                DataClass = Str(r, "class") ?? "events",
                Decision = Str(r, "decision"),
                InputTokens = r.TryGetProperty("inTok", out var it) ? it.GetInt32() : null,
                OutputTokens = r.TryGetProperty("outTok", out var ot) ? ot.GetInt32() : null,
                LatencyMicros = r.TryGetProperty("latUs", out var lu) ? lu.GetInt64() : null,
                Actor = r.TryGetProperty("actor", out var a)
                    ? new AuditActor { KeyId = Str(a, "keyId"), Principal = Str(a, "principal"), Agent = Str(a, "agent"), EndUser = Str(a, "endUser"), Admin = Str(a, "admin") }
                    : new AuditActor(),
                Model = r.TryGetProperty("model", out var m) ? new AuditModel(Str(m, "alias") ?? "", Str(m, "version") ?? "", Str(m, "provider") ?? "") : null,
                Reasons = r.TryGetProperty("reasons", out var rs) ? [.. rs.EnumerateArray().Select(x => x.GetString()!)] : [],
                Digests = Map(r, "digests"),
                Attributes = Map(r, "attrs"),
                Payload = r.TryGetProperty("payload", out var p)
                    ? new PayloadReference(Str(p, "alg") ?? "", Str(p, "key") ?? "", Str(p, "sha256") ?? "", p.GetProperty("len").GetInt64())
                    : null,
            };
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new FormatException($"not a canonical audit entry: {e.Message}", e);
        }
    }

    /// <summary>Reads only the top-level <c>seq</c> member (fast path for verification); null when absent or malformed.</summary>
    public static long? ReadSequence(ReadOnlySpan<byte> canonical)
    {
        try
        {
            var reader = new Utf8JsonReader(canonical);
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1 && reader.ValueTextEquals("seq"u8))
                {
                    reader.Read();
                    return reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var s) ? s : null;
                }
                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray && reader.CurrentDepth >= 1) reader.Skip();
            }
        }
        catch (JsonException) { }
        return null;
    }

    /// <summary>
    /// Reads <c>seq</c> by the canonical layout alone: in a canonical entry the top-level <c>seq</c>
    /// is the last <c>,"seq":</c> (the members after it are strings and numbers, and a quote inside
    /// a string is always escaped). Null when the layout does not match; callers that need the JSON
    /// reading of arbitrary bytes use <see cref="ReadSequence"/>.
    /// </summary>
    public static long? ReadCanonicalSequence(ReadOnlySpan<byte> canonical)
    {
        var at = canonical.LastIndexOf(",\"seq\":"u8);
        if (at < 0) return null;
        var digits = canonical[(at + 7)..];
        var n = 0;
        long value = 0;
        while (n < digits.Length && digits[n] is >= (byte)'0' and <= (byte)'9')
        {
            if (n == 18 || (n > 0 && digits[0] == (byte)'0')) return null; // no leading zeros, no overflow
            value = value * 10 + (digits[n] - '0');
            n++;
        }
        return n > 0 && n < digits.Length && digits[n] is (byte)',' or (byte)'}' ? value : null;
    }

    public AuditEventView ToView() => new()
    {
        Id = Id, Sequence = Sequence, Time = Time, Type = Type, Tenant = Tenant, Actor = Actor, Subject = Subject,
        DataClass = DataClass, Model = Model, Decision = Decision, Reasons = Reasons, InputTokens = InputTokens,
        OutputTokens = OutputTokens, LatencyMs = LatencyMicros / 1000.0, Digests = Digests, Attributes = Attributes,
    };

    private static string? Str(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static Dictionary<string, string> Map(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) ? v.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "", StringComparer.Ordinal) : [];
}

/// <summary>What the leaf commits to about the encrypted payload: algorithm, subject key id, SHA-256 (hex) and length of the sealed bytes.</summary>
public sealed record PayloadReference(string Algorithm, string KeyId, string Sha256, long Length);
