using Attest.Audit.Log;
using Attest.Core.Audit;

namespace Attest.Audit.Tests;

/// <summary>The member-by-member encoder must give exactly the bytes of the dictionary-based reference encoding, or stored logs would stop verifying.</summary>
public class CanonicalEncoderTests
{
    private static readonly string[] Samples = ["", "a", "acme", "é ü 中文 😀", "quote\"back\\slash", "ctl\u0001\u001f\t\n\r\b\f", "\u007f\u2028", "Z", "zz", "A_b-c.d"];

    [Fact]
    public void Fast_encoding_equals_the_reference_encoding_on_random_entries()
    {
        var rng = new Random(4242);
        for (var i = 0; i < 5000; i++)
        {
            var entry = RandomEntry(rng);
            var fast = entry.Encode();
            var reference = entry.EncodeReference();
            var canonicalSeq = AuditEntry.ReadCanonicalSequence(fast);
            if (entry.Sequence < 1_000_000_000_000_000_000) Assert.Equal(entry.Sequence, canonicalSeq); // 19 digits take the JSON read
            Assert.Equal(AuditEntry.ReadSequence(fast), canonicalSeq ?? AuditEntry.ReadSequence(fast));
            Assert.True(fast.AsSpan().SequenceEqual(reference), $"entry {i}: {System.Text.Encoding.UTF8.GetString(fast)} != {System.Text.Encoding.UTF8.GetString(reference)}");
        }
    }

    [Fact]
    public void Fast_encoding_handles_long_values_and_reuses_its_buffer_safely()
    {
        var big = new string('x', 200_000);
        var entry = new AuditEntry { Id = "id", Sequence = long.MaxValue, Time = DateTimeOffset.UnixEpoch, Type = "t", Tenant = big, LatencyMicros = long.MinValue };
        Assert.Equal(entry.EncodeReference(), entry.Encode());
        var small = entry with { Tenant = "t" };
        Assert.Equal(small.EncodeReference(), small.Encode());
    }

    [Theory]
    [InlineData("{\"seq\":5}")]
    [InlineData("{\"a\":1,\"seq\":}")]
    [InlineData("{\"a\":1,\"seq\":05,\"v\":1}")]
    [InlineData("{\"a\":1,\"seq\":-5,\"v\":1}")]
    [InlineData("{\"a\":1,\"seq\":5")]
    [InlineData("{\"a\":1,\"seq\":5x}")]
    [InlineData("{\"a\":1,\"seq\":12345678901234567890,\"v\":1}")]
    public void The_canonical_sequence_read_gives_up_on_anything_but_the_canonical_layout(string text) =>
        Assert.Null(AuditEntry.ReadCanonicalSequence(System.Text.Encoding.UTF8.GetBytes(text)));

    [Fact]
    public void The_canonical_sequence_read_takes_the_top_level_member()
    {
        var text = "{\"attrs\":{\"a\":\"1\",\"seq\":\"9\"},\"seq\":42,\"subject\":\"s,\\\"seq\\\":7\",\"v\":1}";
        var bytes = System.Text.Encoding.UTF8.GetBytes(text);
        Assert.Equal(42, AuditEntry.ReadSequence(bytes));
        Assert.Equal(42, AuditEntry.ReadCanonicalSequence(bytes));
    }

    private static AuditEntry RandomEntry(Random rng)
    {
        string? S() => rng.Next(4) == 0 ? null : Samples[rng.Next(Samples.Length)] + (rng.Next(3) == 0 ? rng.Next(1000).ToString(System.Globalization.CultureInfo.InvariantCulture) : "");
        string R() => S() ?? "x";
        Dictionary<string, string> Map()
        {
            var d = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var i = rng.Next(4); i > 0; i--) d[R()] = R();
            if (d.Count > 0 && rng.Next(5) == 0) d[R() + "-null"] = null!; // null values are omitted by both encoders
            return d;
        }
        return new AuditEntry
        {
            Id = R(), Sequence = rng.Next(2) == 0 ? rng.NextInt64(0, 100_000_000) : rng.NextInt64(0, long.MaxValue),
            Time = DateTimeOffset.UnixEpoch.AddMilliseconds(rng.NextInt64(0, 10_000_000_000_000)).ToOffset(TimeSpan.FromHours(rng.Next(-12, 13))),
            Type = R(), Tenant = R(), Subject = S(), DataClass = R(), Decision = S(),
            Actor = new AuditActor { KeyId = S(), Principal = S(), Agent = S(), EndUser = S(), Admin = S() },
            Model = rng.Next(3) == 0 ? null : new AuditModel(R(), R(), R()),
            Reasons = [.. Enumerable.Range(0, rng.Next(3)).Select(_ => R())],
            InputTokens = rng.Next(3) == 0 ? null : rng.Next(int.MinValue, int.MaxValue),
            OutputTokens = rng.Next(3) == 0 ? null : rng.Next(),
            LatencyMicros = rng.Next(3) == 0 ? null : rng.NextInt64(long.MinValue, long.MaxValue),
            Digests = Map(), Attributes = Map(),
            Payload = rng.Next(3) == 0 ? null : new PayloadReference(R(), R(), R(), rng.NextInt64()),
        };
    }
}
