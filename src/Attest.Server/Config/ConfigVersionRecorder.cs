using System.Text.Json.Nodes;
using System.Threading.Channels;
using Attest.Core.Audit;
using Attest.Core.Config;
using Attest.Storage.Config;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Attest.Server.Config;

/// <summary>
/// Stores the config version at start and on each accepted reload, and appends <c>config.applied</c> /
/// <c>config.rejected</c> audit events through <see cref="IAuditLog"/> when one is registered. Reload
/// events arrive on the watcher's thread; they are queued and written in order here.
/// </summary>
internal sealed partial class ConfigVersionRecorder(
    IPolicySource policy, ConfigVersionStore store, IServiceProvider services, ILogger<ConfigVersionRecorder> logger) : BackgroundService
{
    /// <summary>Tenant named on audit events about the server's own configuration.</summary>
    public const string SystemTenant = "system";

    private readonly Channel<object> _events = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true });

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        policy.Changed += OnChanged;
        if (policy is IReloadingPolicySource reloading) reloading.Rejected += OnRejected;
        await ApplyAsync(policy.Current, "start", cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        policy.Changed -= OnChanged;
        if (policy is IReloadingPolicySource reloading) reloading.Rejected -= OnRejected;
        _events.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var e in _events.Reader.ReadAllAsync(stoppingToken))
            {
                try
                {
                    if (e is PolicySnapshot snapshot) await ApplyAsync(snapshot, "reload", stoppingToken);
                    else if (e is ConfigRejection rejection) await RejectAsync(rejection, stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // The snapshot is already serving; losing its history entry is logged loudly, never silently.
                    LogRecordFailed(logger, ex.GetType().Name, ex.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private void OnChanged(PolicySnapshot snapshot) => _events.Writer.TryWrite(snapshot);
    private void OnRejected(ConfigRejection rejection) => _events.Writer.TryWrite(rejection);

    private async Task ApplyAsync(PolicySnapshot snapshot, string note, CancellationToken ct)
    {
        if (snapshot.SourceText is null) return; // built from records in code: there is no text to keep
        var source = snapshot.SourcePath ?? "(text)";
        var version = await store.RecordAsync(snapshot.SourceText, source, note, ct);
        LogApplied(logger, snapshot.ContentHash, note, version is not null);
        await AuditAsync(new AuditRecord
        {
            Type = AuditEventTypes.ConfigApplied,
            Tenant = SystemTenant,
            DataClass = "config",
            Decision = "allow",
            Digests = new Dictionary<string, string> { ["config"] = snapshot.ContentHash },
            Attributes = new Dictionary<string, string>
            {
                ["hash"] = snapshot.ContentHash, ["source"] = source, ["reason"] = note,
                ["sequence"] = version?.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unchanged",
            },
        }, ct);
    }

    private async Task RejectAsync(ConfigRejection rejection, CancellationToken ct)
    {
        LogRejected(logger, rejection.ContentHash, rejection.Errors.Count, policy.Current.ContentHash);
        foreach (var e in rejection.Errors) LogRejectedError(logger, e.ToString());
        await AuditAsync(new AuditRecord
        {
            Type = AuditEventTypes.ConfigRejected,
            Tenant = SystemTenant,
            DataClass = "config",
            Decision = "deny",
            Reasons = ["config.validation"],
            Digests = new Dictionary<string, string> { ["config"] = rejection.ContentHash },
            Attributes = new Dictionary<string, string>
            {
                ["hash"] = rejection.ContentHash, ["source"] = rejection.Path,
                ["errors"] = rejection.Errors.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["serving"] = policy.Current.ContentHash,
            },
            // Error messages name positions and ids, never secret values.
            Payload = new JsonArray([.. rejection.Errors.Select(e => (JsonNode)JsonValue.Create(e.ToString()))]),
        }, ct);
    }

    private async Task AuditAsync(AuditRecord record, CancellationToken ct)
    {
        if (services.GetService<IAuditLog>() is not { } audit) return;
        await audit.AppendAsync(record, ct);
    }

    [LoggerMessage(EventId = 2101, Level = LogLevel.Information, Message = "Config version {Hash} active ({Reason}); new history entry: {Recorded}")]
    private static partial void LogApplied(ILogger logger, string hash, string reason, bool recorded);
    [LoggerMessage(EventId = 2103, Level = LogLevel.Warning, Message = "Config version {Hash} rejected with {Count} error(s); version {Serving} keeps serving")]
    private static partial void LogRejected(ILogger logger, string hash, int count, string serving);
    [LoggerMessage(EventId = 2104, Level = LogLevel.Warning, Message = "  {Error}")]
    private static partial void LogRejectedError(ILogger logger, string error);
    [LoggerMessage(EventId = 2102, Level = LogLevel.Error, Message = "Recording a config version failed: {Exception}: {Message}")]
    private static partial void LogRecordFailed(ILogger logger, string exception, string message);
}
