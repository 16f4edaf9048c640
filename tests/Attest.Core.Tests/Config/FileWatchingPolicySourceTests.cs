using Attest.Core.Config;

namespace Attest.Core.Tests.Config;

public sealed class FileWatchingPolicySourceTests : IDisposable
{
    private const string Valid = "version: 1\ntenants:\n  - id: acme\n";
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "attest-reload-" + Guid.NewGuid().ToString("n"));
    private readonly string _path;

    public FileWatchingPolicySourceTests()
    {
        Directory.CreateDirectory(_dir);
        _path = Path.Combine(_dir, "attest.yaml");
        File.WriteAllText(_path, Valid);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Valid_change_applies_without_restart()
    {
        using var source = PolicySources.FromFile(_path, new PolicyReloadOptions { Debounce = TimeSpan.FromMilliseconds(50), PollInterval = TimeSpan.FromMilliseconds(200) });
        var before = source.Current;
        var changed = new TaskCompletionSource<PolicySnapshot>(TaskCreationOptions.RunContinuationsAsynchronously);
        source.Changed += s => changed.TrySetResult(s);
        await File.WriteAllTextAsync(_path, Valid + "  - id: globex\n");
        var after = await changed.Task.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.NotEqual(before.ContentHash, after.ContentHash);
        Assert.Same(after, source.Current);
        Assert.True(source.Current.Tenants.ContainsKey("globex"));
        Assert.False(before.Tenants.ContainsKey("globex")); // readers holding the old snapshot see a consistent old view
    }

    [Fact]
    public async Task Invalid_change_is_rejected_and_old_snapshot_keeps_serving()
    {
        using var source = PolicySources.FromFile(_path, new PolicyReloadOptions { Debounce = TimeSpan.FromMilliseconds(50), PollInterval = TimeSpan.FromMilliseconds(200) });
        var before = source.Current;
        var rejected = new TaskCompletionSource<ConfigRejection>(TaskCreationOptions.RunContinuationsAsynchronously);
        var changes = 0;
        source.Rejected += r => rejected.TrySetResult(r);
        source.Changed += _ => Interlocked.Increment(ref changes);
        await File.WriteAllTextAsync(_path, Valid + "connectors:\n  - id: crm\n");
        var rejection = await rejected.Task.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Contains(rejection.Errors, e => e.ToString() == $"{_path}:5:5: connector 'crm' has no owner");
        Assert.Same(before, source.Current);
        Assert.Equal(0, Volatile.Read(ref changes));
        // The same broken text is not reported again; a later valid edit still applies.
        Assert.Equal(ConfigReloadResult.Rejected, source.Reload());
        await File.WriteAllTextAsync(_path, Valid + "  - id: initech\n");
        Assert.Equal(ConfigReloadResult.Applied, source.Reload());
        Assert.True(source.Current.Tenants.ContainsKey("initech"));
    }

    [Fact]
    public void Reload_without_a_change_is_a_no_op_and_polling_alone_notices_changes()
    {
        using var source = PolicySources.FromFile(_path, new PolicyReloadOptions { UseFileSystemWatcher = false, PollInterval = Timeout.InfiniteTimeSpan });
        Assert.Equal(ConfigReloadResult.Unchanged, source.Reload());
        File.WriteAllText(_path, Valid + "  - id: hooli\n");
        Assert.Equal(ConfigReloadResult.Applied, source.Reload());
        Assert.Equal(ConfigReloadResult.Unchanged, source.Reload());
    }

    [Fact]
    public async Task Polling_fallback_applies_a_change_when_file_events_are_off()
    {
        using var source = PolicySources.FromFile(_path, new PolicyReloadOptions
        {
            UseFileSystemWatcher = false, Debounce = TimeSpan.FromMilliseconds(10), PollInterval = TimeSpan.FromMilliseconds(100),
        });
        var changed = new TaskCompletionSource<PolicySnapshot>(TaskCreationOptions.RunContinuationsAsynchronously);
        source.Changed += s => changed.TrySetResult(s);
        await File.WriteAllTextAsync(_path, Valid + "  - id: umbrella-corporation\n");
        var after = await changed.Task.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.True(after.Tenants.ContainsKey("umbrella-corporation"));
    }

    [Fact]
    public void Empty_file_is_not_a_config()
    {
        File.WriteAllText(_path, "# nothing here\n");
        var e = Assert.Throws<ConfigException>(() => PolicySources.FromFile(_path));
        Assert.EndsWith("attest.yaml:1:1: the file is empty: a config needs at least 'version: 1'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_file_at_start_throws_with_every_error()
    {
        File.WriteAllText(_path, "tenants:\n  - id: a\n  - id: a\nbogus: 1\n");
        var e = Assert.Throws<ConfigException>(() => PolicySources.FromFile(_path));
        Assert.Equal(2, e.Errors.Count);
        Assert.All(e.Message.Split(Environment.NewLine), line => Assert.Matches(@"^.+attest\.yaml:\d+:\d+: ", line));
    }

    [Fact]
    public async Task Concurrent_readers_always_see_a_complete_snapshot()
    {
        using var source = PolicySources.FromFile(_path, new PolicyReloadOptions { UseFileSystemWatcher = false, PollInterval = Timeout.InfiniteTimeSpan });
        using var cts = new CancellationTokenSource();
        var reader = Task.Run(() =>
        {
            long reads = 0;
            do
            {
                var s = source.Current;
                Assert.Equal(s.Config.Tenants.Count, s.Tenants.Count);
                reads++;
            }
            while (!cts.IsCancellationRequested);
            return reads;
        });
        for (int i = 0; i < 30; i++)
        {
            File.WriteAllText(_path, Valid + $"  - id: t{i}\n");
            Assert.Equal(ConfigReloadResult.Applied, source.Reload());
        }
        await cts.CancelAsync();
        Assert.True(await reader > 0);
        Assert.True(source.Current.Tenants.ContainsKey("t29"));
    }
}
