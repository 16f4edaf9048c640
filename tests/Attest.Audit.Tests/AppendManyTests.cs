using Attest.Audit.Log;
using Attest.Core.Audit;

namespace Attest.Audit.Tests;

/// <summary>AuditLog.AppendManyAsync: one durable commit per group, in order, consecutive, all or none.</summary>
public sealed class AppendManyTests
{
    [Fact]
    public async Task A_group_is_one_commit_in_order_with_consecutive_sequence_numbers()
    {
        var (log, store, _) = TestLogs.Create();
        await log.AppendAsync(TestLogs.Record(0));
        var commits = store.Commits;
        var ids = await log.AppendManyAsync([TestLogs.Record(1), TestLogs.Record(2), TestLogs.Record(3)]);
        Assert.Equal(commits + 1, store.Commits);
        Assert.Equal(ids, store.Rows.Skip(1).Select(r => r.Id).ToArray());
        Assert.Equal([1L, 2L, 3L], store.Rows.Skip(1).Select(r => r.Sequence).ToArray());
        Assert.Equal([TestLogs.Record(1).Type, TestLogs.Record(2).Type, TestLogs.Record(3).Type], store.Rows.Skip(1).Select(r => r.Type).ToArray());
        await log.DisposeAsync();
    }

    [Fact]
    public async Task Groups_stay_whole_among_concurrent_appends_even_when_batches_are_small()
    {
        var store = new InMemoryAuditStore();
        var log = new AuditLog(store, new AuditLogOptions { SigningKey = TestLogs.Key, MasterKey = TestLogs.Master, CheckpointEvery = 20, MaxBatch = 4 });
        var groups = await Task.WhenAll(Enumerable.Range(0, 60).Select(g => Task.Run(async () =>
            g % 3 == 0
                ? (IReadOnlyList<string>)[await log.AppendAsync(TestLogs.Record(g * 10))]
                : await log.AppendManyAsync([.. Enumerable.Range(0, 2 + g % 4).Select(k => TestLogs.Record(g * 10 + k))]))));
        await log.CheckpointAsync();
        var seq = store.Rows.ToDictionary(r => r.Id, r => r.Sequence);
        Assert.Equal(groups.Sum(g => g.Count), seq.Count);
        foreach (var ids in groups)
            for (var k = 1; k < ids.Count; k++) Assert.Equal(seq[ids[0]] + k, seq[ids[k]]);
        var report = await AuditOperations.VerifyAsync(store, [TestLogs.Key]);
        Assert.True(report.Ok, report.Message);
        await log.DisposeAsync();
    }

    [Fact]
    public async Task A_failed_commit_stores_none_of_the_group_and_the_log_goes_on()
    {
        var (log, store, _) = TestLogs.Create();
        await log.AppendAsync(TestLogs.Record(0));
        store.FailNextAppend = new IOException("disk full");
        await Assert.ThrowsAsync<AuditWriteException>(async () => await log.AppendManyAsync([TestLogs.Record(1), TestLogs.Record(2)]));
        Assert.Single(store.Rows);
        var ids = await log.AppendManyAsync([TestLogs.Record(3), TestLogs.Record(4)]);
        Assert.Equal(ids, store.Rows.Skip(1).Select(r => r.Id).ToArray());
        await log.CheckpointAsync();
        var report = await AuditOperations.VerifyAsync(store, [TestLogs.Key]);
        Assert.True(report.Ok, report.Message);
        await log.DisposeAsync();
    }

    [Fact]
    public async Task The_default_implementation_appends_one_by_one_in_order()
    {
        var sink = new ListLog();
        IAuditLog log = sink;
        var ids = await log.AppendManyAsync([TestLogs.Record(1), TestLogs.Record(2)]);
        Assert.Equal(["e1", "e2"], ids);
        Assert.Equal([TestLogs.Record(1).Type, TestLogs.Record(2).Type], sink.Types);
    }

    private sealed class ListLog : IAuditLog
    {
        public List<string> Types { get; } = [];
        public ValueTask<string> AppendAsync(AuditRecord record, CancellationToken cancellationToken = default)
        {
            Types.Add(record.Type);
            return ValueTask.FromResult("e" + Types.Count);
        }
    }
}
