using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Attest.Core.Config;
using Attest.Server.Gateway;
using Attest.Server.Hosting;
using Attest.Server.Keys;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Attest.Cli.Commands;

/// <summary><c>attest keys create|list|revoke|rotate</c>: virtual keys in the database the config names.</summary>
internal sealed class KeysCommands : ICliModule
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public IEnumerable<Command> Commands()
    {
        var keys = new Command("keys", "Create, list, revoke and rotate virtual keys (atk_…)");
        keys.Subcommands.Add(Create());
        keys.Subcommands.Add(List());
        keys.Subcommands.Add(Revoke());
        keys.Subcommands.Add(Rotate());
        return [keys];
    }

    private static Command Create()
    {
        var config = CliCommon.ConfigOption();
        var json = CliCommon.JsonOption();
        var tenant = new Option<string>("--tenant") { Description = "Tenant the key belongs to", Required = true };
        var agent = new Option<string?>("--agent") { Description = "Agent the key acts as" };
        var principal = new Option<string?>("--principal") { Description = "Principal bound to the key" };
        var models = new Option<string?>("--models") { Description = "Model aliases the key may use, comma-separated (default: all of the tenant's)" };
        var scopes = new Option<string?>("--scopes") { Description = "Comma-separated: chat,embeddings,retrieve,tools,ingest,approve,admin (default chat,embeddings)" };
        var expires = new Option<string?>("--expires") { Description = "Lifetime, e.g. 30d, 12h (default: no expiry)" };
        var rpm = new Option<int?>("--rpm") { Description = "Requests per minute for this key" };
        var tpm = new Option<int?>("--tpm") { Description = "Tokens per minute for this key" };
        var cmd = new Command("create", "Create a key and print it once") { config, json, tenant, agent, principal, models, scopes, expires, rpm, tpm };
        cmd.SetAction((parse, ct) => WithKeysAsync(parse.GetValue(config), async manager =>
        {
            TimeSpan? lifetime = null;
            if (parse.GetValue(expires) is { } e)
            {
                if (!Durations.TryParse(e, out var v)) return CliCommon.Fail($"--expires: '{e}' is not a duration (use e.g. 30d, 12h)", ExitCodes.Usage);
                lifetime = v;
            }
            var issued = await manager.CreateAsync(new KeyRequest
            {
                Tenant = parse.GetValue(tenant)!, Agent = parse.GetValue(agent), Principal = parse.GetValue(principal),
                Models = SplitList(parse.GetValue(models)), Scopes = SplitList(parse.GetValue(scopes)), ExpiresIn = lifetime,
                RequestsPerMinute = parse.GetValue(rpm), TokensPerMinute = parse.GetValue(tpm),
            }, Actor(), ct);
            if (parse.GetValue(json)) Console.WriteLine(JsonSerializer.Serialize(KeyJson.Of(issued.Record, issued.Key), Json));
            else
            {
                Console.WriteLine($"Created key {issued.Record.Id} for tenant {issued.Record.Tenant} (scopes {string.Join(',', issued.Record.Scopes)}).");
                Console.WriteLine(issued.Key);
                Console.WriteLine("Store it now: Attest keeps only a keyed hash and cannot show this key again.");
            }
            return ExitCodes.Ok;
        }, ct));
        return cmd;
    }

    private static Command List()
    {
        var config = CliCommon.ConfigOption();
        var json = CliCommon.JsonOption();
        var tenant = new Option<string?>("--tenant") { Description = "Only this tenant's keys" };
        var cmd = new Command("list", "List keys (never the keys themselves: id, prefix, tenant, scopes, state)") { config, json, tenant };
        cmd.SetAction((parse, ct) => WithKeysAsync(parse.GetValue(config), async manager =>
        {
            var list = await manager.ListAsync(parse.GetValue(tenant), ct);
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(list.Select(k => KeyJson.Of(k)), Json));
                return ExitCodes.Ok;
            }
            Console.WriteLine($"{"ID",-22} {"PREFIX",-11} {"TENANT",-12} {"AGENT",-12} {"SCOPES",-24} {"STATE",-8} LAST USED");
            foreach (var k in list)
                Console.WriteLine($"{k.Id,-22} {k.DisplayPrefix,-11} {k.Tenant,-12} {k.Agent ?? "-",-12} {string.Join(',', k.Scopes),-24} {State(k),-8} {k.LastUsedAt?.ToString("u", CultureInfo.InvariantCulture) ?? "never"}");
            return ExitCodes.Ok;
        }, ct));
        return cmd;
    }

    private static Command Revoke()
    {
        var config = CliCommon.ConfigOption();
        var id = new Argument<string>("id") { Description = "Key id (key_…)" };
        var cmd = new Command("revoke", "Revoke a key; every replica refuses it from the next request") { config, id };
        cmd.SetAction((parse, ct) => WithKeysAsync(parse.GetValue(config), async manager =>
        {
            var k = await manager.RevokeAsync(parse.GetValue(id)!, Actor(), ct);
            if (k is null) return CliCommon.Fail($"no key with id '{parse.GetValue(id)}'");
            Console.WriteLine($"Revoked key {k.Id} ({k.DisplayPrefix}) of tenant {k.Tenant}.");
            return ExitCodes.Ok;
        }, ct));
        return cmd;
    }

    private static Command Rotate()
    {
        var config = CliCommon.ConfigOption();
        var json = CliCommon.JsonOption();
        var id = new Argument<string>("id") { Description = "Key id (key_…)" };
        var overlap = new Option<string?>("--overlap") { Description = "How long the old key stays valid (default 24h)" };
        var cmd = new Command("rotate", "Issue a replacement key; the old one stays valid for the overlap") { config, json, id, overlap };
        cmd.SetAction((parse, ct) => WithKeysAsync(parse.GetValue(config), async manager =>
        {
            TimeSpan? window = null;
            if (parse.GetValue(overlap) is { } o)
            {
                if (!Durations.TryParse(o, out var v)) return CliCommon.Fail($"--overlap: '{o}' is not a duration (use e.g. 24h, 7d)", ExitCodes.Usage);
                window = v;
            }
            var issued = await manager.RotateAsync(parse.GetValue(id)!, window, Actor(), ct);
            if (issued is null) return CliCommon.Fail($"no key with id '{parse.GetValue(id)}'");
            if (parse.GetValue(json)) Console.WriteLine(JsonSerializer.Serialize(KeyJson.Of(issued.Record, issued.Key), Json));
            else
            {
                Console.WriteLine($"Rotated key {issued.Record.RotatedFrom} -> {issued.Record.Id}; the old key stays valid for {parse.GetValue(overlap) ?? "24h"}.");
                Console.WriteLine(issued.Key);
                Console.WriteLine("Store it now: Attest keeps only a keyed hash and cannot show this key again.");
            }
            return ExitCodes.Ok;
        }, ct));
        return cmd;
    }

    /// <summary>
    /// Opens the config's database through the server's own composition (so key events reach the
    /// same audit log the server writes), runs <paramref name="action"/>, and shuts down.
    /// </summary>
    private static async Task<int> WithKeysAsync(FileInfo? configFile, Func<KeyManager, Task<int>> action, CancellationToken ct)
    {
        var path = CliCommon.ResolveConfigPath(configFile);
        if (!File.Exists(path)) return CliCommon.Fail($"{path}: no such file (pass --config)");
        IPolicySource policy;
        try { policy = PolicySources.FromFile(path); }
        catch (ConfigException e) { return CliCommon.Fail(e.Message); }
        try
        {
            await using var app = await AttestHost.BuildAsync(policy, new AttestHostOptions { Listen = "http://127.0.0.1:0", LogLevel = LogLevel.Error }, ct);
            await app.StartAsync(ct);
            try { return await action(app.Services.GetRequiredService<KeyManager>()); }
            catch (KeyRequestException e) { return CliCommon.Fail(e.Param is null ? e.Message : $"--{e.Param}: {e.Message}", ExitCodes.Usage); }
            finally { await app.StopAsync(CancellationToken.None); }
        }
        catch (InvalidOperationException e) { return CliCommon.Fail(e.Message); }
        catch (System.Data.Common.DbException e) { return CliCommon.Fail($"database: {e.Message}"); }
    }

    private static string Actor() => $"cli:{Environment.UserName}";

    private static string State(VirtualKey k) =>
        k.RevokedAt is not null ? "revoked" : k.ExpiresAt is { } e && e <= TimeProvider.System.GetUtcNow() ? "expired" : "active";

    private static string[] SplitList(string? s) =>
        s is null ? [] : s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
