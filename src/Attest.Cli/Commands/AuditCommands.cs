using System.CommandLine;
using System.Text.Json;
using Attest.Audit.Export;
using Attest.Audit.Log;
using Attest.Audit.Verification;
using Attest.Storage.Audit;

namespace Attest.Cli.Commands;

/// <summary><c>attest audit …</c> and <c>attest subjects forget</c>: verify, export, query, prove and administer the audit log.</summary>
internal sealed class AuditCommands : ICliModule
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public IEnumerable<Command> Commands()
    {
        var audit = new Command("audit", "Verify, export, query and prove the tamper-evident audit log");
        audit.Subcommands.Add(Verify());
        audit.Subcommands.Add(Export());
        audit.Subcommands.Add(Prove());
        audit.Subcommands.Add(PublicKey());
        foreach (var c in AuditAdminCommands.Create()) audit.Subcommands.Add(c);
        return [audit, AuditAdminCommands.Subjects()];
    }

    private static Command Verify()
    {
        var config = CliCommon.ConfigOption();
        var export = new Option<FileInfo?>("--export") { Description = "Verify this JSONL export offline instead of the database" };
        var pubkey = new Option<FileInfo?>("--pubkey") { Description = "PEM file with the trusted public key(s) (default: the data folder's audit-public-keys.pem)" };
        var json = CliCommon.JsonOption();
        var cmd = new Command("verify", "Recompute hashes, tree, checkpoints and signatures; name the first bad index and the kind of tampering") { config, export, pubkey, json };
        cmd.SetAction(async (parse, ct) =>
        {
            var exportFile = parse.GetValue(export);
            var pub = parse.GetValue(pubkey);
            if (pub is not null && !pub.Exists) return CliCommon.Fail($"{pub.FullName}: no such file", ExitCodes.Usage);
            VerifyReport report;
            if (exportFile is not null)
            {
                if (!exportFile.Exists) return CliCommon.Fail($"{exportFile.FullName}: no such file", ExitCodes.Usage);
                IReadOnlyList<Attest.Audit.Checkpoints.CheckpointKey> keys;
                if (pub is not null) keys = AuditKeyFiles.ParsePublicKeys("attest", await File.ReadAllTextAsync(pub.FullName, ct));
                else
                {
                    var (octx, oerr) = await AuditCommandContext.OpenAsync(parse.GetValue(config), ct);
                    if (octx is null) return CliCommon.Fail(oerr + " (or pass --pubkey to verify offline)");
                    await using (octx) keys = octx.TrustedKeys(null);
                }
                using var reader = new StreamReader(exportFile.FullName);
                report = AuditExport.Verify(reader, keys);
            }
            else
            {
                var (ctx, error) = await AuditCommandContext.OpenAsync(parse.GetValue(config), ct);
                if (ctx is null) return CliCommon.Fail(error!);
                await using (ctx) report = await AuditOperations.VerifyAsync(ctx.Store, ctx.TrustedKeys(pub), ct);
            }
            return Print(report, parse.GetValue(json));
        });
        return cmd;
    }

    internal static int Print(VerifyReport report, bool json)
    {
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                ok = report.Ok, entries = report.Entries, checkpoints = report.Checkpoints, firstBadIndex = report.FirstBadIndex,
                kind = report.Ok ? null : VerifyReport.KindName(report.Kind), message = report.Message,
            }, Indented));
        }
        else if (report.Ok) Console.WriteLine($"ok: {report.Message}");
        else Console.WriteLine($"TAMPERED: first bad index {report.FirstBadIndex?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"} ({VerifyReport.KindName(report.Kind)}): {report.Message}");
        return report.Ok ? ExitCodes.Ok : ExitCodes.Failure;
    }

    private static Command Export()
    {
        var config = CliCommon.ConfigOption();
        var from = new Option<long>("--from") { Description = "First entry index (default 0)" };
        var to = new Option<long?>("--to") { Description = "Entry index to stop before (default: the end)" };
        var output = new Option<FileInfo>("--out") { Description = "File to write", Required = true };
        var format = new Option<string>("--format") { Description = "jsonl (self-verifying, default) or ocsf (OCSF API Activity JSON lines)", DefaultValueFactory = _ => "jsonl" };
        format.AcceptOnlyFromAmong("jsonl", "ocsf");
        var cmd = new Command("export", "Export entries with checkpoints and proofs so the file verifies on its own, or as OCSF for a SIEM") { config, from, to, output, format };
        cmd.SetAction(async (parse, ct) =>
        {
            var (ctx, error) = await AuditCommandContext.OpenAsync(parse.GetValue(config), ct);
            if (ctx is null) return CliCommon.Fail(error!);
            await using var _ = ctx;
            var file = parse.GetValue(output)!;
            var start = parse.GetValue(from);
            var end = parse.GetValue(to);
            if (start < 0 || end < start) return CliCommon.Fail("--from must be >= 0 and --to must not be below --from", ExitCodes.Usage);
            await using var writer = new StreamWriter(file.FullName);
            long n;
            if (parse.GetValue(format) == "ocsf")
            {
                n = 0;
                await foreach (var row in ctx.Store.ReadRowsAsync(start, end ?? long.MaxValue, ct))
                {
                    await writer.WriteLineAsync(OcsfMapper.Map(AuditEntry.Decode(row.Canonical)).ToJsonString());
                    n++;
                }
            }
            else
            {
                try { n = await AuditExport.WriteAsync(ctx.Log, start, end, writer, ct); }
                catch (ArgumentOutOfRangeException e) { return CliCommon.Fail(e.Message.Split(" (Parameter")[0], ExitCodes.Usage); }
            }
            await ctx.Log.AppendAsync(new Core.Audit.AuditRecord
            {
                Type = Core.Audit.AuditEventTypes.Export, Tenant = "*", Actor = AuditCommandContext.CliActor(), Decision = "allow",
                Attributes = new Dictionary<string, string> { ["format"] = parse.GetValue(format)!, ["entries"] = n.ToString(System.Globalization.CultureInfo.InvariantCulture), ["from"] = start.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            }, ct);
            Console.WriteLine($"wrote {n} entries to {file.FullName}");
            return ExitCodes.Ok;
        });
        return cmd;
    }

    private static Command Prove()
    {
        var config = CliCommon.ConfigOption();
        var index = new Option<long>("--index") { Description = "Entry index", Required = true };
        var size = new Option<long?>("--size") { Description = "Tree size (default: the latest checkpoint)" };
        var json = CliCommon.JsonOption();
        var cmd = new Command("prove", "Print and check the inclusion proof of one entry in a checkpoint") { config, index, size, json };
        cmd.SetAction(async (parse, ct) =>
        {
            var (ctx, error) = await AuditCommandContext.OpenAsync(parse.GetValue(config), ct);
            if (ctx is null) return CliCommon.Fail(error!);
            await using var _ = ctx;
            var checkpoints = await ctx.Store.ReadCheckpointsAsync(ct);
            var n = parse.GetValue(size) ?? (checkpoints.Count > 0 ? checkpoints[^1].Size : (await ctx.Store.ReadTailAsync(ct)).Size);
            using var proofs = new AuditProofService(ctx.Store);
            InclusionProof p;
            try { p = await proofs.InclusionAsync(parse.GetValue(index), n, ct); }
            catch (ArgumentOutOfRangeException e) { return CliCommon.Fail(e.Message.Split(" (Parameter")[0], ExitCodes.Usage); }
            var signed = checkpoints.FirstOrDefault(c => c.Size == n);
            var rootSigned = signed is not null && signed.Root.AsSpan().SequenceEqual(p.Root);
            var ok = p.Verify() && (signed is null || rootSigned);
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(new
                {
                    index = p.Index, size = p.Size, leafHash = Convert.ToHexStringLower(p.LeafHash), proof = p.Path.Select(Convert.ToHexStringLower),
                    root = Convert.ToHexStringLower(p.Root), checkpoint = signed?.KeyId, verified = ok,
                }, Indented));
            }
            else
            {
                Console.WriteLine($"entry {p.Index} in tree of size {p.Size}");
                Console.WriteLine($"leaf  {Convert.ToHexStringLower(p.LeafHash)}");
                foreach (var h in p.Path) Console.WriteLine($"path  {Convert.ToHexStringLower(h)}");
                Console.WriteLine($"root  {Convert.ToHexStringLower(p.Root)}{(signed is null ? " (no checkpoint at this size)" : $" (checkpoint signed by {signed.KeyId})")}");
                Console.WriteLine(ok ? "proof verified" : "PROOF FAILED");
            }
            return ok ? ExitCodes.Ok : ExitCodes.Failure;
        });
        return cmd;
    }

    private static Command PublicKey()
    {
        var config = CliCommon.ConfigOption();
        var cmd = new Command("pubkey", "Print the public key(s) that verify checkpoints (PEM, with key ids)") { config };
        cmd.SetAction(async (parse, ct) =>
        {
            var (ctx, error) = await AuditCommandContext.OpenAsync(parse.GetValue(config), ct);
            if (ctx is null) return CliCommon.Fail(error!);
            await using var _ = ctx;
            foreach (var k in ctx.TrustedKeys(null)) Console.Write(AuditKeyFiles.FormatPublicKey(k));
            return ExitCodes.Ok;
        });
        return cmd;
    }
}
