using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Attest.Audit.Log;
using Attest.Core.Audit;
using Attest.Storage.Audit;

namespace Attest.Cli.Commands;

/// <summary><c>attest audit query|purge|_stress-append</c> and <c>attest subjects forget</c>.</summary>
internal static class AuditAdminCommands
{
    private static readonly JsonSerializerOptions WebIndented = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static IEnumerable<Command> Create() => [Query(), Purge(), StressAppend()];

    private static Command Query()
    {
        var config = CliCommon.ConfigOption();
        var tenant = new Option<string?>("--tenant") { Description = "Only this tenant" };
        var actor = new Option<string?>("--actor") { Description = "Only events whose key, principal, agent, end user or admin is this" };
        var type = new Option<string?>("--type") { Description = "Exact type, or a prefix ending in '.' (e.g. approval.)" };
        var from = new Option<DateTimeOffset?>("--from") { Description = "Events at or after this time (ISO 8601)" };
        var to = new Option<DateTimeOffset?>("--to") { Description = "Events before this time (ISO 8601)" };
        var limit = new Option<int?>("--limit") { Description = "At most this many events" };
        var json = CliCommon.JsonOption();
        var cmd = new Command("query", "List audit events by tenant, actor, type and time") { config, tenant, actor, type, from, to, limit, json };
        cmd.SetAction(async (parse, ct) =>
        {
            var (ctx, error) = await AuditCommandContext.OpenAsync(parse.GetValue(config), ct);
            if (ctx is null) return CliCommon.Fail(error!);
            await using var _ = ctx;
            var q = new AuditQuery
            {
                Tenant = parse.GetValue(tenant), Actor = parse.GetValue(actor), Type = parse.GetValue(type),
                From = parse.GetValue(from), To = parse.GetValue(to), Limit = parse.GetValue(limit),
            };
            var views = new List<AuditEventView>();
            await foreach (var v in new StoreAuditReader(ctx.Store).QueryAsync(q, ct)) views.Add(v);
            if (parse.GetValue(json)) Console.WriteLine(JsonSerializer.Serialize(views, WebIndented));
            else
            {
                Console.WriteLine($"{"SEQ",-7} {"TIME",-24} {"TYPE",-20} {"TENANT",-12} {"ACTOR",-20} DECISION");
                foreach (var v in views)
                {
                    var who = v.Actor.EndUser ?? v.Actor.Principal ?? v.Actor.Agent ?? v.Actor.KeyId ?? v.Actor.Admin ?? "-";
                    Console.WriteLine($"{v.Sequence,-7} {v.Time.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),-24} {v.Type,-20} {v.Tenant,-12} {who,-20} {v.Decision ?? "-"}");
                }
                Console.WriteLine($"{views.Count} event(s)");
            }
            return ExitCodes.Ok;
        });
        return cmd;
    }

    private static Command Purge()
    {
        var config = CliCommon.ConfigOption();
        var cmd = new Command("purge", "Remove payload ciphertext past each data class's retention (the hashed skeleton stays, so the log still verifies)") { config };
        cmd.SetAction(async (parse, ct) =>
        {
            var (ctx, error) = await AuditCommandContext.OpenAsync(parse.GetValue(config), ct);
            if (ctx is null) return CliCommon.Fail(error!);
            await using var _ = ctx;
            var retention = ctx.Policy.Config.Retention;
            if (retention.Count == 0) return CliCommon.Fail("no retention rules in attest.yaml (retention: - dataClass: prompts, keep: 30d)");
            IReadOnlyDictionary<string, long> result;
            try { result = await AuditOperations.PurgeAsync(ctx.Log, retention, "*", AuditCommandContext.CliActor(), TimeProvider.System, ct); }
            catch (FormatException e) { return CliCommon.Fail($"retention: {e.Message}"); }
            foreach (var (dataClass, n) in result) Console.WriteLine($"{dataClass}: {n} payload(s) purged");
            return ExitCodes.Ok;
        });
        return cmd;
    }

    /// <summary>Hidden load generator for the crash test: prints each event id once its append is acknowledged (durable).</summary>
    private static Command StressAppend()
    {
        var config = CliCommon.ConfigOption();
        var count = new Option<int>("--count") { DefaultValueFactory = _ => 1_000_000 };
        var writers = new Option<int>("--writers") { DefaultValueFactory = _ => 16 };
        var cmd = new Command("_stress-append", "Append events under load, printing ids after acknowledgement (testing)") { config, count, writers };
        cmd.Hidden = true;
        cmd.SetAction(async (parse, ct) =>
        {
            var (ctx, error) = await AuditCommandContext.OpenAsync(parse.GetValue(config), ct);
            if (ctx is null) return CliCommon.Fail(error!);
            await using var _ = ctx;
            var remaining = parse.GetValue(count);
            var stdout = Console.Out;
            var gate = new Lock();
            await Task.WhenAll(Enumerable.Range(0, Math.Max(1, parse.GetValue(writers))).Select(w => Task.Run(async () =>
            {
                while (Interlocked.Decrement(ref remaining) >= 0)
                {
                    var id = await ctx.Log.AppendAsync(new AuditRecord
                    {
                        Type = AuditEventTypes.ChatRequest, Tenant = "stress", Subject = $"stress/user/u{w}", DataClass = "prompts",
                        Actor = new AuditActor { KeyId = $"key-{w}" }, Payload = new JsonObject { ["n"] = w },
                    }, ct);
                    lock (gate)
                    {
                        stdout.WriteLine(id);
                        stdout.Flush();
                    }
                }
            }, ct)));
            return ExitCodes.Ok;
        });
        return cmd;
    }

    public static Command Subjects()
    {
        var config = CliCommon.ConfigOption();
        var subject = new Argument<string>("subject") { Description = "Data subject, e.g. acme/user/alice or acme/tenant" };
        var forget = new Command("forget", "Destroy the subject's audit key: its payloads become unreadable, the log still verifies") { config, subject };
        forget.SetAction(async (parse, ct) =>
        {
            var s = parse.GetValue(subject)!;
            if (string.IsNullOrWhiteSpace(s) || !s.Contains('/', StringComparison.Ordinal))
                return CliCommon.Fail("subject must look like TENANT/user/ID or TENANT/tenant", ExitCodes.Usage);
            var (ctx, error) = await AuditCommandContext.OpenAsync(parse.GetValue(config), ct);
            if (ctx is null) return CliCommon.Fail(error!);
            await using var _ = ctx;
            var n = await AuditOperations.ForgetSubjectAsync(ctx.Log, s, s.Split('/')[0], AuditCommandContext.CliActor(), TimeProvider.System, ct);
            Console.WriteLine(n == 0 ? $"{s}: no live key (nothing to destroy); recorded subject.forgotten" : $"{s}: destroyed {n} key(s); recorded subject.forgotten");
            return ExitCodes.Ok;
        });
        var subjects = new Command("subjects", "Data subjects of the audit log") { forget };
        return subjects;
    }
}
