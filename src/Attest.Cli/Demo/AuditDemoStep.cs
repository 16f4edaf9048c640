using System.Text;
using System.Text.Json.Nodes;
using Attest.Audit.Log;
using Attest.Audit.Verification;
using Attest.Core.Audit;
using Attest.Storage;
using Attest.Storage.Audit;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace Attest.Cli.Demo;

/// <summary>Verifies the audit log after the traffic, catches tampering in a copy of the database, and forgets a subject.</summary>
internal sealed class AuditDemoStep : IDemoStep
{
    public int Order => 80;
    public string Title => "Tamper-evident audit log: verify, catch tampering, forget a subject";
    public string Controls => "CC7.2, CC7.3, CC4.1, P4.3";

    public async Task<bool> RunAsync(DemoContext context, CancellationToken cancellationToken)
    {
        var services = context.Server.Services;
        var log = services.GetRequiredService<AuditLog>();
        var db = services.GetRequiredService<AttestDatabase>();
        var keys = AuditKeyFiles.LoadTrustedKeys(context.Policy.Current, StorageFactory.DataDirectory(context.Policy.Current));

        var subjectRow = await FirstWithPayloadAsync(log.Store, cancellationToken);
        if (subjectRow is null)
        {
            await log.AppendAsync(new AuditRecord
            {
                Type = AuditEventTypes.AgentMessage, Tenant = "acme", Subject = "acme/user/demo-alice", DataClass = "prompts",
                Actor = new AuditActor { EndUser = "demo-alice" }, Attributes = new Dictionary<string, string> { ["origin"] = "demo" },
                Payload = new JsonObject { ["text"] = "a message for the audit demo" },
            }, cancellationToken);
            context.Say("no earlier event carried a payload; recorded one demo event for acme/user/demo-alice");
            subjectRow = await FirstWithPayloadAsync(log.Store, cancellationToken);
        }
        await log.CheckpointAsync(cancellationToken);
        var report = await AuditOperations.VerifyAsync(log.Store, keys, cancellationToken);
        context.Say($"attest audit verify -> {(report.Ok ? "ok" : "FAILED")}: {report.Message}");
        if (!report.Ok || subjectRow is null) return false;

        if (db is not SqliteDatabase sqlite)
        {
            context.Say("storage is not SQLite; skipping the tampered-copy demonstration");
            return true;
        }
        var copyPath = Path.Combine(context.WorkDirectory, "tampered-copy.db");
        File.Delete(copyPath);
        await using (var c = await db.OpenAsync(cancellationToken))
            await c.ExecuteAsync(new CommandDefinition("VACUUM INTO @p", new { p = copyPath }, cancellationToken: cancellationToken));
        await using var copy = new SqliteDatabase(copyPath);
        var victim = report.Entries / 2;
        await using (var c = await copy.OpenAsync(cancellationToken))
        {
            var canonical = await c.ExecuteScalarAsync<byte[]>(new CommandDefinition("SELECT canonical FROM audit_entries WHERE seq = @victim", new { victim }, cancellationToken: cancellationToken));
            var edited = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(canonical!).Replace("\"tenant\":\"", "\"tenant\":\"x", StringComparison.Ordinal));
            await c.ExecuteAsync(new CommandDefinition("UPDATE audit_entries SET canonical = @edited WHERE seq = @victim", new { edited, victim }, cancellationToken: cancellationToken));
        }
        var tampered = await AuditOperations.VerifyAsync(new SqlAuditStore(copy), keys, cancellationToken);
        context.Say($"edited the tenant of entry {victim} in a copy of the database; verify on the copy -> first bad index {tampered.FirstBadIndex} ({VerifyReport.KindName(tampered.Kind)})");
        if (tampered.Ok || tampered.FirstBadIndex != victim || tampered.Kind != TamperKind.Edited) return false;

        var subject = subjectRow.Subject!;
        var destroyed = await AuditOperations.ForgetSubjectAsync(log, subject, subject.Split('/')[0], new AuditActor { Admin = "demo" }, TimeProvider.System, cancellationToken);
        bool unreadable;
        try
        {
            await AuditOperations.ReadPayloadAsync(log.Keyring, subjectRow, cancellationToken);
            unreadable = false;
        }
        catch (PayloadUnavailableException) { unreadable = true; }
        await log.CheckpointAsync(cancellationToken);
        var after = await AuditOperations.VerifyAsync(log.Store, keys, cancellationToken);
        context.Say($"attest subjects forget {subject} -> {destroyed} key(s) destroyed; its payloads are {(unreadable ? "unreadable" : "STILL READABLE")}; verify -> {(after.Ok ? "ok" : "FAILED")}: {after.Message}");
        return unreadable && after.Ok;
    }

    private static async Task<AuditRow?> FirstWithPayloadAsync(IAuditStore store, CancellationToken ct)
    {
        await foreach (var r in store.ReadRowsAsync(0, long.MaxValue, ct))
            if (r.Payload is not null && r.Subject is not null) return r;
        return null;
    }
}
