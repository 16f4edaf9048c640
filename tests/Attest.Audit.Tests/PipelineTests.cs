using Attest.Audit.Log;
using Attest.Audit.Verification;

namespace Attest.Audit.Tests;

/// <summary>The pipelined writer (batches prepared for predicted sequence numbers) and the parallel verifier path.</summary>
public sealed class PipelineTests
{
    [Fact]
    public async Task Two_writers_on_one_store_mispredict_and_still_give_one_verifiable_order()
    {
        var store = new InMemoryAuditStore();
        var (a, _, _) = TestLogs.Create(checkpointEvery: 50, store: store);
        var (b, _, _) = TestLogs.Create(checkpointEvery: 50, store: store);
        await Task.WhenAll(TestLogs.FillAsync(a, 600, concurrency: 16), TestLogs.FillAsync(b, 600, concurrency: 16));
        await a.CheckpointAsync();
        Assert.Equal(Enumerable.Range(0, 1200).Select(i => (long)i), store.Rows.Select(r => r.Sequence));
        // Every stored entry encodes its own position, whichever writer predicted what.
        Assert.All(store.Rows, r => Assert.Equal(r.Sequence, AuditEntry.ReadSequence(r.Canonical)));
        var report = await AuditOperations.VerifyAsync(store, [TestLogs.Key]);
        Assert.True(report.Ok, report.Message);
        Assert.Equal(1200, report.Entries);
        await a.DisposeAsync();
        await b.DisposeAsync();
    }

    [Fact]
    public async Task A_failed_commit_does_not_corrupt_the_batch_prepared_behind_it()
    {
        var (log, store, _) = TestLogs.Create(checkpointEvery: 10);
        await TestLogs.FillAsync(log, 100, concurrency: 8);
        store.FailNextAppend = new IOException("disk full");
        var results = await Task.WhenAll(Enumerable.Range(100, 64).Select(async i =>
        {
            try { await log.AppendAsync(TestLogs.Record(i)); return true; }
            catch (AuditWriteException) { return false; }
        }));
        Assert.Contains(false, results);
        Assert.Equal(100 + results.Count(ok => ok), store.Rows.Count);
        await log.CheckpointAsync();
        var report = await AuditOperations.VerifyAsync(store, [TestLogs.Key]);
        Assert.True(report.Ok, report.Message);
        await log.DisposeAsync();
    }

    [Fact]
    public async Task Lone_events_committed_on_the_loop_and_pipelined_bursts_give_the_same_log_as_a_serial_writer()
    {
        var (log, store, _) = TestLogs.Create(checkpointEvery: 7);
        var n = 0;
        for (var round = 0; round < 6; round++)
        {
            // One caller at a time: each event is alone in the queue (the inline commit path).
            for (var i = 0; i < 15; i++) await log.AppendAsync(TestLogs.Record(n++));
            // A burst: batches that overlap the commit in flight (the pipelined path).
            var start = n;
            await Task.WhenAll(Enumerable.Range(start, 40).Select(i => log.AppendAsync(TestLogs.Record(i)).AsTask()));
            n += 40;
        }
        // A failure on the inline path fails its caller closed and the log goes on.
        store.FailNextAppend = new IOException("disk full");
        await Assert.ThrowsAsync<AuditWriteException>(async () => await log.AppendAsync(TestLogs.Record(n)));
        await log.AppendAsync(TestLogs.Record(n + 1));
        await log.CheckpointAsync();
        Assert.Equal(n + 1, store.Rows.Count);
        Assert.Equal(Enumerable.Range(0, n + 1).Select(i => (long)i), store.Rows.Select(r => r.Sequence));
        Assert.All(store.Rows, r => Assert.Equal(r.Sequence, AuditEntry.ReadSequence(r.Canonical)));
        // Canonical bytes are those the reference encoder gives for the stored entry.
        Assert.All(store.Rows, r => Assert.Equal(AuditEntry.Decode(r.Canonical).EncodeReference(), r.Canonical));
        var report = await AuditOperations.VerifyAsync(store, [TestLogs.Key]);
        Assert.True(report.Ok, report.Message);
        Assert.Equal(n + 1, report.Entries);
        await log.DisposeAsync();
    }

    [Fact]
    public async Task AddRange_reports_exactly_what_Add_reports()
    {
        var (log, store, _) = TestLogs.Create(checkpointEvery: 100);
        await TestLogs.FillAsync(log, 3000, concurrency: 32);
        await log.CheckpointAsync();
        var rows = store.Rows.Select(r => new VerifyRow(r.Canonical, r.ChainHash, r.Payload)).ToList();
        var rng = new Random(7);
        for (var round = 0; round < 12; round++)
        {
            var tampered = new List<VerifyRow>(rows);
            var i = rng.Next(1, rows.Count - 2);
            switch (round % 4)
            {
                case 0: break;
                case 1: tampered.RemoveAt(i); break;
                case 2: (tampered[i], tampered[i + 1]) = (tampered[i + 1], tampered[i]); break;
                case 3: tampered[i] = tampered[i] with { Payload = [1, 2, 3] }; break;
            }
            var one = new AuditVerifier(store.Checkpoints, [TestLogs.Key]);
            foreach (var r in tampered) one.Add(r);
            var many = new AuditVerifier(store.Checkpoints, [TestLogs.Key]);
            foreach (var chunk in tampered.Chunk(1000)) many.AddRange(chunk);
            Assert.Equal(one.Finish(), many.Finish());
        }
        await log.DisposeAsync();
    }
}
