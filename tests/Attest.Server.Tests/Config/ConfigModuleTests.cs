using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
using Attest.Core.Audit;
using Attest.Core.Config;
using Attest.Server.Hosting;
using Attest.Storage.Config;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Attest.Server.Tests.Config;

public sealed class ConfigModuleTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "attest-cfgmod-" + Guid.NewGuid().ToString("n"));

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private sealed class RecordingAuditLog : IAuditLog
    {
        public ConcurrentQueue<AuditRecord> Records { get; } = new();
        public ValueTask<string> AppendAsync(AuditRecord record, CancellationToken cancellationToken = default)
        {
            Records.Enqueue(record);
            return ValueTask.FromResult(Guid.NewGuid().ToString("n"));
        }
    }

    [Fact]
    public async Task Host_records_versions_and_audits_applied_and_rejected_reloads()
    {
        Directory.CreateDirectory(_dir);
        var path = Path.Combine(_dir, "attest.yaml");
        const string v1 = "version: 1\ntenants:\n  - id: acme\n";
        await File.WriteAllTextAsync(path, v1);
        using var source = PolicySources.FromFile(path, new PolicyReloadOptions { Debounce = TimeSpan.FromMilliseconds(50), PollInterval = TimeSpan.FromMilliseconds(200) });
        var audit = new RecordingAuditLog();
        await using var app = await AttestHost.BuildAsync(source, new AttestHostOptions
        {
            Listen = "http://127.0.0.1:0", LogLevel = LogLevel.Warning,
            ConfigureServices = s => s.AddSingleton<IAuditLog>(audit),
        });
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(AttestHost.BoundAddress(app)) };
        var store = app.Services.GetRequiredService<ConfigVersionStore>();
        Assert.Equal(ConfigLoader.Hash(v1), (await store.LatestAsync())!.Hash);

        const string v2 = v1 + "  - id: globex\n";
        await File.WriteAllTextAsync(path, v2);
        await Until(async () => (await store.ListAsync()).Count == 2);
        Assert.Equal(ConfigLoader.Hash(v2), await ReadyHash(http));

        await File.WriteAllTextAsync(path, v2 + "agents:\n  - id: bot\n");
        await Until(() => Task.FromResult(audit.Records.Any(r => r.Type == AuditEventTypes.ConfigRejected)));
        Assert.Equal(ConfigLoader.Hash(v2), await ReadyHash(http)); // the old snapshot keeps serving
        Assert.Equal(2, (await store.ListAsync()).Count);

        var applied = audit.Records.Where(r => r.Type == AuditEventTypes.ConfigApplied).ToList();
        Assert.Equal([ConfigLoader.Hash(v1), ConfigLoader.Hash(v2)], applied.Select(r => r.Attributes["hash"]));
        var rejected = audit.Records.Single(r => r.Type == AuditEventTypes.ConfigRejected);
        Assert.Equal("deny", rejected.Decision);
        Assert.Contains(rejected.Payload!.AsArray(), n => n!.GetValue<string>() == $"{path}:6:5: agent 'bot' has no owner");
        await app.StopAsync();
    }

    private static async Task<string?> ReadyHash(HttpClient http)
    {
        var ready = await http.GetFromJsonAsync<JsonElement>("/readyz");
        return ready.GetProperty("config").GetString();
    }

    private static async Task Until(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("condition not met in 20 s");
            await Task.Delay(50);
        }
    }
}
