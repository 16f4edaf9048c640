using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Attest.Core.Config;
using Attest.Core.Identity;
using Attest.Retrieval;
using Attest.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Attest.Cli.Commands;

/// <summary><c>attest ingest</c> (files into the permission-aware index) and <c>attest retrieve</c> (query it as a user), directly on the configured database.</summary>
internal sealed class IngestCommands : ICliModule
{
    public IEnumerable<Command> Commands() => [Ingest(), Retrieve()];

    private static Command Ingest()
    {
        var config = CliCommon.ConfigOption();
        var connector = new Option<string>("--connector") { Description = "Connector declared in attest.yaml", Required = true };
        var tenant = new Option<string>("--tenant") { Description = "Tenant that owns the documents", Required = true };
        var acl = new Option<string[]>("--acl") { Description = "Allowed subject, repeatable: group:<id> or user:<id>", AllowMultipleArgumentsPerToken = false };
        var deny = new Option<string[]>("--deny") { Description = "Denied subject, repeatable: group:<id> or user:<id>" };
        var json = CliCommon.JsonOption();
        var paths = new Argument<string[]>("path") { Description = "Files or folders (txt, md, html, json)", Arity = ArgumentArity.OneOrMore };
        var cmd = new Command("ingest", "Ingest files into the permission-aware retrieval index") { config, connector, tenant, acl, deny, json, paths };
        cmd.SetAction(async (parse, ct) =>
        {
            var files = new List<(string Id, string Path)>();
            foreach (var p in parse.GetValue(paths) ?? [])
            {
                if (File.Exists(p)) files.Add((Path.GetFileName(p), p));
                else if (Directory.Exists(p))
                    files.AddRange(Directory.EnumerateFiles(p, "*", SearchOption.AllDirectories)
                        .Where(f => DocumentText.Extensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
                        .Order(StringComparer.Ordinal)
                        .Select(f => (Path.GetRelativePath(p, f).Replace('\\', '/'), f)));
                else return CliCommon.Fail($"{p}: no such file or folder", ExitCodes.Usage);
            }
            if (files.Count == 0) return CliCommon.Fail("no txt, md, html or json files found", ExitCodes.Usage);
            var docs = new List<DocumentInput>();
            var theAcl = DocumentAcl.Of(parse.GetValue(acl), parse.GetValue(deny));
            try
            {
                foreach (var (id, path) in files)
                {
                    var (title, text) = DocumentText.Extract(path, await File.ReadAllTextAsync(path, ct));
                    docs.Add(new DocumentInput
                    {
                        Id = id, Connector = parse.GetValue(connector)!, Title = title, Text = text,
                        SourceUrl = new Uri(Path.GetFullPath(path)).AbsoluteUri, Acl = theAcl,
                    });
                }
            }
            catch (RetrievalException e) { return CliCommon.Fail(e.Message); }
            return await WithService(parse.GetValue(config), parse.GetValue(tenant)!, async (service, policy) =>
            {
                var identity = new RequestIdentity { Tenant = parse.GetValue(tenant)!, Principal = "cli:" + Environment.UserName };
                var outcomes = new List<IngestOutcome>();
                foreach (var batch in docs.Chunk(service.Options.MaxBatch)) outcomes.AddRange(await service.IngestAsync(identity, batch, ct));
                if (parse.GetValue(json))
                    Console.WriteLine(JsonSerializer.Serialize(outcomes.Select(o => new { id = o.DocumentId, connector = o.Connector, status = RetrievalService.StatusName(o.Status), chunks = o.Chunks })));
                else
                {
                    foreach (var o in outcomes) Console.WriteLine($"{RetrievalService.StatusName(o.Status),-12} {o.Connector}/{o.DocumentId} ({o.Chunks} chunks)");
                    Console.WriteLine($"{outcomes.Count} documents, {outcomes.Sum(o => o.Chunks)} chunks written for tenant {identity.Tenant}");
                }
                return ExitCodes.Ok;
            }, ct);
        });
        return cmd;
    }

    private static Command Retrieve()
    {
        var config = CliCommon.ConfigOption();
        var tenant = new Option<string>("--tenant") { Description = "Tenant to search", Required = true };
        var user = new Option<string>("--user") { Description = "End user the query runs as (groups come from attest.yaml)", Required = true };
        var topK = new Option<int>("--top-k") { Description = "Number of chunks (default 5)", DefaultValueFactory = _ => 5 };
        var connector = new Option<string[]>("--connector") { Description = "Only these connectors (repeatable)" };
        var json = CliCommon.JsonOption();
        var query = new Argument<string[]>("query") { Description = "The question", Arity = ArgumentArity.OneOrMore };
        var cmd = new Command("retrieve", "Query the retrieval index as a user; only what that user may see is returned") { config, tenant, user, topK, connector, json, query };
        cmd.SetAction(async (parse, ct) => await WithService(parse.GetValue(config), parse.GetValue(tenant)!, async (service, policy) =>
        {
            var t = parse.GetValue(tenant)!;
            var u = parse.GetValue(user)!;
            if (CallerGroups.BelongsElsewhere(policy, u, t)) return CliCommon.Fail($"user '{u}' belongs to another tenant than '{t}'");
            var identity = new RequestIdentity { Tenant = t, EndUser = u, Groups = CallerGroups.For(policy, u, t), Principal = "cli:" + Environment.UserName };
            var r = await service.QueryAsync(identity, new RetrievalRequest
            {
                Query = string.Join(' ', parse.GetValue(query) ?? []), TopK = parse.GetValue(topK), Connectors = parse.GetValue(connector) ?? [],
            }, ct);
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(new
                {
                    data = r.Chunks.Select(c => new { document_id = c.DocumentId, chunk_id = c.ChunkId, connector = c.Connector, classification = c.Classification, title = c.Title, source = c.Source, score = c.Score, text = c.Text }),
                    dropped = r.Dropped,
                }));
                return ExitCodes.Ok;
            }
            if (r.Chunks.Count == 0) Console.WriteLine($"no results visible to {u} in tenant {t}");
            int n = 0;
            foreach (var c in r.Chunks)
            {
                var snippet = c.Text.ReplaceLineEndings(" ");
                Console.WriteLine($"{++n,2}. {c.Score.ToString("F3", CultureInfo.InvariantCulture)}  {c.Connector}/{c.DocumentId}  [{c.Classification}]  {c.Title}");
                Console.WriteLine($"    {(snippet.Length > 100 ? snippet[..100] + "…" : snippet)}");
            }
            if (r.Dropped > 0) Console.WriteLine($"{r.Dropped} chunk(s) kept out by the guards (recorded)");
            return ExitCodes.Ok;
        }, ct));
        return cmd;
    }

    /// <summary>Builds the server's services (not started) from the config so the CLI writes through the same store, keys, guards and audit log.</summary>
    private static async Task<int> WithService(FileInfo? configFile, string tenant, Func<RetrievalService, PolicySnapshot, Task<int>> run, CancellationToken ct)
    {
        var path = CliCommon.ResolveConfigPath(configFile);
        if (!File.Exists(path)) return CliCommon.Fail($"{path}: no such file (run 'attest init' to write a starter config)", ExitCodes.Usage);
        IPolicySource policy;
        try { policy = PolicySources.FromFile(path); }
        catch (ConfigException e) { return CliCommon.Fail(e.Message); }
        if (!policy.Current.Tenants.ContainsKey(tenant)) return CliCommon.Fail($"{Path.GetFileName(path)}: tenant '{tenant}' is not declared (tenants:)", ExitCodes.Usage);
        WebApplication app;
        try { app = await AttestHost.BuildAsync(policy, new AttestHostOptions { LogLevel = LogLevel.Error }, ct); }
        catch (InvalidOperationException e) { return CliCommon.Fail(e.Message); }
        await using (app)
        {
            try { return await run(app.Services.GetRequiredService<RetrievalService>(), policy.Current); }
            catch (RetrievalException e) { return CliCommon.Fail(e.Message); }
        }
    }
}
