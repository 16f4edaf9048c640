using Attest.Audit.Checkpoints;
using Attest.Audit.Log;
using Attest.Core.Config;
using Attest.Storage;
using Attest.Storage.Audit;

namespace Attest.Cli.Commands;

/// <summary>The audit log opened from attest.yaml for one CLI verb: database, log and trusted keys.</summary>
internal sealed class AuditCommandContext : IAsyncDisposable
{
    private AuditCommandContext(PolicySnapshot policy, AttestDatabase db, AuditLog log)
    {
        Policy = policy;
        Database = db;
        Log = log;
    }

    public PolicySnapshot Policy { get; }
    public AttestDatabase Database { get; }
    public AuditLog Log { get; }
    public IAuditStore Store => Log.Store;
    public string DataDirectory => StorageFactory.DataDirectory(Policy);

    public IReadOnlyList<CheckpointKey> TrustedKeys(FileInfo? pubkey) =>
        pubkey is null ? AuditKeyFiles.LoadTrustedKeys(Policy, DataDirectory) : AuditKeyFiles.ParsePublicKeys(Policy.Config.Audit.Origin, File.ReadAllText(pubkey.FullName));

    /// <summary>Opens the log, or returns an error line for <see cref="CliCommon.Fail"/>.</summary>
    public static async Task<(AuditCommandContext? Context, string? Error)> OpenAsync(FileInfo? config, CancellationToken ct)
    {
        var path = CliCommon.ResolveConfigPath(config);
        if (!File.Exists(path)) return (null, $"{path}: no such file (pass --config or set ATTEST_CONFIG)");
        PolicySnapshot policy;
        try { policy = PolicySources.FromFile(path).Current; }
        catch (ConfigException e) { return (null, e.Message); }
        AttestDatabase? db = null;
        try
        {
            db = await StorageFactory.CreateAndMigrateAsync(policy, ct);
            var log = AuditLogFactory.Create(policy, db, TimeProvider.System);
            return (new AuditCommandContext(policy, db, log), null);
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or System.Data.Common.DbException or System.Security.Cryptography.CryptographicException)
        {
            if (db is not null) await db.DisposeAsync();
            return (null, $"cannot open the audit log: {e.Message}");
        }
    }

    public static Core.Audit.AuditActor CliActor() => new() { Admin = "cli:" + Environment.UserName };

    public async ValueTask DisposeAsync()
    {
        await Log.DisposeAsync();
        await Database.DisposeAsync();
    }
}
