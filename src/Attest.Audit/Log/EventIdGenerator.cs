using System.Security.Cryptography;

namespace Attest.Audit.Log;

/// <summary>
/// Sortable event ids in the ULID layout: 26 Crockford base-32 characters encoding 48 bits of Unix
/// milliseconds (from the injected <see cref="TimeProvider"/>) and 80 bits that start random each
/// millisecond and are incremented for later ids in the same millisecond, so ids from one process
/// sort in creation order. Thread-safe.
/// </summary>
public sealed class EventIdGenerator(TimeProvider time)
{
    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    private readonly Lock _lock = new();
    private long _lastMs = -1;
    private UInt128 _random;

    public string Next()
    {
        long ms;
        UInt128 rnd;
        lock (_lock)
        {
            ms = Math.Max(time.GetUtcNow().ToUnixTimeMilliseconds(), _lastMs);
            if (ms == _lastMs)
            {
                _random++;
            }
            else
            {
                Span<byte> b = stackalloc byte[16];
                RandomNumberGenerator.Fill(b);
                b[0] = b[1] = b[2] = b[3] = b[4] = b[5] = 0;
                b[6] &= 0x7F; // leaves room to increment within a millisecond without overflowing 80 bits
                _random = System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(b);
                _lastMs = ms;
            }
            rnd = _random;
        }
        Span<char> id = stackalloc char[26];
        var t = (ulong)ms;
        for (var i = 9; i >= 0; i--)
        {
            id[i] = Alphabet[(int)(t & 31)];
            t >>= 5;
        }
        for (var i = 25; i >= 10; i--)
        {
            id[i] = Alphabet[(int)(rnd & 31)];
            rnd >>= 5;
        }
        return new string(id);
    }
}
