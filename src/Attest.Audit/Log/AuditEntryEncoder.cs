using System.Buffers;
using Attest.Audit.Canonical;

namespace Attest.Audit.Log;

// The canonical encoding of an entry written member by member in the canonical (ordinal) key
// order, without building dictionaries or sorting: byte for byte what CanonicalJson.Encode gives
// for AuditEntry.EncodeReference's dictionary (tests check the two agree on random entries).
// One reusable buffer per thread.
internal static class AuditEntryEncoder
{
    [ThreadStatic] private static ArrayBufferWriter<byte>? t_buffer;

    public static byte[] Encode(AuditEntry e)
    {
        var w = t_buffer ??= new ArrayBufferWriter<byte>(1024);
        w.ResetWrittenCount();
        var first = true;
        CanonicalJson.Byte(w, (byte)'{');
        var a = e.Actor;
        if (a.Admin is not null || a.Agent is not null || a.EndUser is not null || a.KeyId is not null || a.Principal is not null)
        {
            Key(w, ref first, "\"actor\":{"u8);
            var inner = true;
            Str(w, ref inner, "\"admin\":"u8, a.Admin);
            Str(w, ref inner, "\"agent\":"u8, a.Agent);
            Str(w, ref inner, "\"endUser\":"u8, a.EndUser);
            Str(w, ref inner, "\"keyId\":"u8, a.KeyId);
            Str(w, ref inner, "\"principal\":"u8, a.Principal);
            CanonicalJson.Byte(w, (byte)'}');
        }
        if (e.Attributes.Count > 0)
        {
            Key(w, ref first, "\"attrs\":"u8);
            CanonicalJson.WriteStrings(w, e.Attributes);
        }
        Str(w, ref first, "\"class\":"u8, e.DataClass);
        Str(w, ref first, "\"decision\":"u8, e.Decision);
        if (e.Digests.Count > 0)
        {
            Key(w, ref first, "\"digests\":"u8);
            CanonicalJson.WriteStrings(w, e.Digests);
        }
        Str(w, ref first, "\"id\":"u8, e.Id);
        Int(w, ref first, "\"inTok\":"u8, e.InputTokens);
        Int(w, ref first, "\"latUs\":"u8, e.LatencyMicros);
        if (e.Model is { } m)
        {
            Key(w, ref first, "\"model\":{"u8);
            var inner = true;
            Str(w, ref inner, "\"alias\":"u8, m.Alias);
            Str(w, ref inner, "\"provider\":"u8, m.Provider);
            Str(w, ref inner, "\"version\":"u8, m.Version);
            CanonicalJson.Byte(w, (byte)'}');
        }
        Int(w, ref first, "\"outTok\":"u8, e.OutputTokens);
        if (e.Payload is { } p)
        {
            Key(w, ref first, "\"payload\":{"u8);
            var inner = true;
            Str(w, ref inner, "\"alg\":"u8, p.Algorithm);
            Str(w, ref inner, "\"key\":"u8, p.KeyId);
            Int(w, ref inner, "\"len\":"u8, p.Length);
            Str(w, ref inner, "\"sha256\":"u8, p.Sha256);
            CanonicalJson.Byte(w, (byte)'}');
        }
        if (e.Reasons.Count > 0)
        {
            Key(w, ref first, "\"reasons\":"u8);
            CanonicalJson.WriteStringArray(w, e.Reasons);
        }
        Int(w, ref first, "\"seq\":"u8, e.Sequence);
        Str(w, ref first, "\"subject\":"u8, e.Subject);
        Str(w, ref first, "\"tenant\":"u8, e.Tenant);
        Key(w, ref first, "\"time\":\""u8);
        WriteTime(w, e.Time.UtcDateTime);
        CanonicalJson.Byte(w, (byte)'"');
        Str(w, ref first, "\"type\":"u8, e.Type);
        Int(w, ref first, "\"v\":"u8, AuditEntry.ModelVersion);
        CanonicalJson.Byte(w, (byte)'}');
        var result = w.WrittenSpan.ToArray();
        if (w.Capacity > 64 * 1024) t_buffer = null; // do not keep an unusually large buffer alive
        return result;
    }

    // yyyy-MM-ddTHH:mm:ss.fffZ (AuditEntry.TimeFormat), digit by digit.
    private static void WriteTime(ArrayBufferWriter<byte> w, DateTime t)
    {
        var span = w.GetSpan(24);
        Digits(span, 0, t.Year, 4);
        span[4] = (byte)'-';
        Digits(span, 5, t.Month, 2);
        span[7] = (byte)'-';
        Digits(span, 8, t.Day, 2);
        span[10] = (byte)'T';
        Digits(span, 11, t.Hour, 2);
        span[13] = (byte)':';
        Digits(span, 14, t.Minute, 2);
        span[16] = (byte)':';
        Digits(span, 17, t.Second, 2);
        span[19] = (byte)'.';
        Digits(span, 20, t.Millisecond, 3);
        span[23] = (byte)'Z';
        w.Advance(24);
    }

    private static void Digits(Span<byte> span, int at, int value, int count)
    {
        for (var i = at + count - 1; i >= at; i--)
        {
            span[i] = (byte)('0' + value % 10);
            value /= 10;
        }
    }

    private static void Key(ArrayBufferWriter<byte> w, ref bool first, ReadOnlySpan<byte> key)
    {
        if (!first) CanonicalJson.Byte(w, (byte)',');
        first = false;
        w.Write(key);
    }

    private static void Str(ArrayBufferWriter<byte> w, ref bool first, ReadOnlySpan<byte> key, string? value)
    {
        if (value is null) return;
        Key(w, ref first, key);
        CanonicalJson.WriteString(w, value);
    }

    private static void Int(ArrayBufferWriter<byte> w, ref bool first, ReadOnlySpan<byte> key, long? value)
    {
        if (value is not { } v) return;
        Key(w, ref first, key);
        CanonicalJson.Integer(w, v);
    }
}
