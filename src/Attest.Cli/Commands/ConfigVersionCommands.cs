using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Attest.Core.Config;
using Attest.Storage;
using Attest.Storage.Config;

namespace Attest.Cli.Commands;

/// <summary><c>attest config history|diff|rollback</c>: the versions stored in the database the config names.</summary>
internal static class ConfigVersionCommands
{
    public static IEnumerable<Command> Create() => [History(), Diff(), Rollback()];

    private static Command History()
    {
        var configOption = CliCommon.ConfigOption();
        var json = CliCommon.JsonOption();
        var limit = new Option<int>("--limit") { Description = "Show at most this many versions (default 50)", DefaultValueFactory = _ => 50 };
        var cmd = new Command("history", "List applied config versions, newest first (* marks the file's current content)") { configOption, json, limit };
        cmd.SetAction(async (parse, ct) =>
        {
            var path = CliCommon.ResolveConfigPath(parse.GetValue(configOption));
            await using var session = await Open(path, ct);
            if (session is null) return ExitCodes.Failure;
            var versions = await session.Store.ListAsync(Math.Max(1, parse.GetValue(limit)), ct);
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(versions.Select(v => new
                {
                    sequence = v.Sequence, hash = v.Hash, appliedAt = v.AppliedAt, source = v.Source, note = v.Note, current = v.Hash == session.FileHash,
                }), ConfigCommands.Json));
                return ExitCodes.Ok;
            }
            if (versions.Count == 0) { Console.WriteLine("No config versions recorded yet (the server records one at start and on each reload)."); return ExitCodes.Ok; }
            Console.WriteLine($"{"SEQ",-5} {"VERSION",-13} {"APPLIED (UTC)",-20} {"NOTE",-24} SOURCE");
            foreach (var v in versions)
                Console.WriteLine($"{v.Sequence,-5} {v.ShortHash}{(v.Hash == session.FileHash ? "*" : " ")} {v.AppliedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),-20} {v.Note,-24} {v.Source}");
            return ExitCodes.Ok;
        });
        return cmd;
    }

    private static Command Diff()
    {
        var configOption = CliCommon.ConfigOption();
        var a = new Argument<string>("A") { Description = "Older version: hash prefix (4+ hex digits) or #SEQ" };
        var b = new Argument<string>("B") { Description = "Newer version: hash prefix (4+ hex digits) or #SEQ" };
        var cmd = new Command("diff", "Show a unified line diff between two stored config versions") { a, b, configOption };
        cmd.SetAction(async (parse, ct) =>
        {
            await using var session = await Open(CliCommon.ResolveConfigPath(parse.GetValue(configOption)), ct);
            if (session is null) return ExitCodes.Failure;
            if (await Find(session.Store, parse.GetValue(a)!, ct) is not { } va || await Find(session.Store, parse.GetValue(b)!, ct) is not { } vb)
                return ExitCodes.Failure;
            var diff = LineDiff.Unified(va.Content, vb.Content, $"{va.ShortHash} (#{va.Sequence}, {va.Note})", $"{vb.ShortHash} (#{vb.Sequence}, {vb.Note})");
            Console.Write(diff.Length == 0 ? "The two versions are identical.\n" : diff);
            return ExitCodes.Ok;
        });
        return cmd;
    }

    private static Command Rollback()
    {
        var configOption = CliCommon.ConfigOption();
        var version = new Argument<string>("VERSION") { Description = "Version to restore: hash prefix (4+ hex digits) or #SEQ" };
        var cmd = new Command("rollback", "Write a stored version back to attest.yaml (a running server hot-reloads it) and record the rollback") { version, configOption };
        cmd.SetAction(async (parse, ct) =>
        {
            var path = CliCommon.ResolveConfigPath(parse.GetValue(configOption));
            await using var session = await Open(path, ct);
            if (session is null) return ExitCodes.Failure;
            if (await Find(session.Store, parse.GetValue(version)!, ct) is not { } v) return ExitCodes.Failure;
            var errors = ConfigLoader.Validate(ConfigLoader.Read(v.Content, $"{v.ShortHash}"));
            if (errors.Count > 0)
            {
                foreach (var e in errors) Console.Error.WriteLine(e);
                return CliCommon.Fail($"version {v.ShortHash} does not pass today's validation; not restored");
            }
            var temp = path + ".rollback-" + Environment.ProcessId;
            await File.WriteAllTextAsync(temp, v.Content, ct);
            File.Move(temp, path, overwrite: true); // one rename: the watcher never sees a half-written file
            await session.Store.RecordAsync(v.Content, Path.GetFullPath(path), $"rollback to #{v.Sequence}", ct);
            Console.WriteLine($"Restored version {v.ShortHash} (#{v.Sequence}) to {path}; a running server applies it on its next reload.");
            return ExitCodes.Ok;
        });
        return cmd;
    }

    private static async Task<ConfigVersion?> Find(ConfigVersionStore store, string reference, CancellationToken ct)
    {
        var found = await store.FindAsync(reference, ct);
        if (found.Version is { } v) return v;
        CliCommon.Fail(found.IsAmbiguous
            ? $"version '{reference}' is ambiguous: {string.Join(", ", found.Candidates.Select(c => c[..12]))}; give more digits"
            : $"no stored config version matches '{reference}' (see 'attest config history')");
        return null;
    }

    private sealed class Session(AttestDatabase db, ConfigVersionStore store, string fileHash) : IAsyncDisposable
    {
        public ConfigVersionStore Store { get; } = store;
        public string FileHash { get; } = fileHash;
        public ValueTask DisposeAsync() => db.DisposeAsync();
    }

    /// <summary>Opens the database the config names. Only binding is needed (not validation): history must work to repair a broken file.</summary>
    private static async Task<Session?> Open(string path, CancellationToken ct)
    {
        if (!File.Exists(path)) { CliCommon.Fail($"{path}: no such file"); return null; }
        var text = await File.ReadAllTextAsync(path, ct);
        var doc = ConfigLoader.Read(text, path);
        if (doc.Errors.Count > 0)
        {
            foreach (var e in doc.Errors) Console.Error.WriteLine(e);
            CliCommon.Fail($"{path}: cannot read the storage settings");
            return null;
        }
        var snapshot = ConfigLoader.Compile(doc, Path.GetFullPath(path));
        try
        {
            var db = await StorageFactory.CreateAndMigrateAsync(snapshot, ct);
            return new Session(db, new ConfigVersionStore(db, TimeProvider.System), doc.ContentHash);
        }
        catch (Exception e) when (e is InvalidOperationException or System.Data.Common.DbException or IOException)
        {
            CliCommon.Fail($"cannot open the config history database: {e.Message}");
            return null;
        }
    }
}
