using System.Collections.Concurrent;

namespace Attest.Server.Limits;

/// <summary>
/// Counters in this process. A reservation locks the stripes of its counters in ascending order (no
/// deadlock), checks every counter, then adds to all; different keys on different stripes proceed in
/// parallel. Expired windows are swept lazily. Thread-safe.
/// </summary>
public sealed class InMemoryCounterStore(TimeProvider time) : ICounterStore
{
    private const int StripeCount = 64;
    private static readonly TimeSpan SweepEvery = TimeSpan.FromMinutes(1);

    private sealed class Cell
    {
        public long Value;
        public long ExpiresAtTicks;
    }

    private readonly ConcurrentDictionary<string, Cell> _cells = new(StringComparer.Ordinal);
    private readonly object[] _stripes = [.. Enumerable.Range(0, StripeCount).Select(_ => new object())];
    private long _nextSweepTicks;

    public int Count => _cells.Count;

    public ValueTask<int> TryReserveAsync(IReadOnlyList<CounterSpec> counters, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow().UtcTicks;
        SweepIfDue(now);
        var stripes = StripesOf(counters);
        Enter(stripes);
        try
        {
            // Cells are looked up under their stripe locks: the sweeper removes cells under the same locks.
            var cells = new Cell[counters.Count];
            for (int i = 0; i < counters.Count; i++) cells[i] = _cells.GetOrAdd(counters[i].Key, static _ => new Cell());
            for (int i = 0; i < counters.Count; i++)
                if (Live(cells[i], now) + counters[i].Amount > counters[i].Limit) return ValueTask.FromResult(i);
            for (int i = 0; i < counters.Count; i++)
            {
                cells[i].Value = Live(cells[i], now) + counters[i].Amount;
                cells[i].ExpiresAtTicks = now + counters[i].Ttl.Ticks;
            }
            return ValueTask.FromResult(-1);
        }
        finally { Exit(stripes); }
    }

    public ValueTask AdjustAsync(IReadOnlyList<CounterAdjustment> adjustments, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow().UtcTicks;
        foreach (var a in adjustments)
        {
            lock (_stripes[StripeOf(a.Key)])
            {
                // A window that is over (or swept) has nothing to give back or charge.
                if (_cells.TryGetValue(a.Key, out var cell) && cell.ExpiresAtTicks > now) cell.Value += a.Delta;
            }
        }
        return ValueTask.CompletedTask;
    }

    public ValueTask<long> ReadAsync(string key, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow().UtcTicks;
        if (!_cells.TryGetValue(key, out var c)) return ValueTask.FromResult(0L);
        lock (_stripes[StripeOf(key)]) return ValueTask.FromResult(Live(c, now));
    }

    private static long Live(Cell c, long now) => c.ExpiresAtTicks > now ? c.Value : 0;

    private static int StripeOf(string key) => (int)((uint)StringComparer.Ordinal.GetHashCode(key) % StripeCount);

    private static int[] StripesOf(IReadOnlyList<CounterSpec> counters)
    {
        var s = new int[counters.Count];
        for (int i = 0; i < s.Length; i++) s[i] = StripeOf(counters[i].Key);
        Array.Sort(s);
        return s;
    }

    private void Enter(int[] stripes)
    {
        for (int i = 0; i < stripes.Length; i++)
            if (i == 0 || stripes[i] != stripes[i - 1]) Monitor.Enter(_stripes[stripes[i]]);
    }

    private void Exit(int[] stripes)
    {
        for (int i = stripes.Length - 1; i >= 0; i--)
            if (i == 0 || stripes[i] != stripes[i - 1]) Monitor.Exit(_stripes[stripes[i]]);
    }

    private void SweepIfDue(long now)
    {
        var due = Interlocked.Read(ref _nextSweepTicks);
        if (now < due || Interlocked.CompareExchange(ref _nextSweepTicks, now + SweepEvery.Ticks, due) != due) return;
        foreach (var (key, cell) in _cells)
        {
            lock (_stripes[StripeOf(key)])
            {
                // Removed under the stripe lock, so no reservation is between reading and writing this cell.
                if (cell.ExpiresAtTicks <= now) _cells.TryRemove(new KeyValuePair<string, Cell>(key, cell));
            }
        }
    }
}
