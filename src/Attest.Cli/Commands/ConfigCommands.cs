using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Attest.Core.Config;

namespace Attest.Cli.Commands;

/// <summary><c>attest config</c>: validate, show, history, diff, rollback, schema.</summary>
internal sealed class ConfigCommands : ICliModule
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public IEnumerable<Command> Commands()
    {
        var config = new Command("config", "Validate, show and version attest.yaml (history, diff, rollback, JSON Schema)");
        config.Subcommands.Add(Validate());
        config.Subcommands.Add(Show());
        foreach (var c in ConfigVersionCommands.Create()) config.Subcommands.Add(c);
        config.Subcommands.Add(Schema());
        return [config];
    }

    private static Command Validate()
    {
        var file = new Argument<string?>("FILE") { Description = "Config file (default: --config, $ATTEST_CONFIG, ./attest.yaml)", Arity = ArgumentArity.ZeroOrOne };
        var configOption = CliCommon.ConfigOption();
        var cmd = new Command("validate", "Check attest.yaml and list every error as file:line:column (exit 1 when any)") { file, configOption };
        cmd.SetAction(async (parse, ct) =>
        {
            var path = parse.GetValue(file) ?? CliCommon.ResolveConfigPath(parse.GetValue(configOption));
            if (!File.Exists(path)) return CliCommon.Fail($"{path}: no such file");
            var doc = ConfigLoader.Read(await File.ReadAllTextAsync(path, ct), path);
            var errors = ConfigLoader.Validate(doc);
            foreach (var e in errors) Console.Error.WriteLine(e);
            if (errors.Count > 0)
            {
                Console.Error.WriteLine($"attest: {path}: {errors.Count} error{(errors.Count == 1 ? "" : "s")}");
                return ExitCodes.Failure;
            }
            Console.WriteLine($"{path}: valid (version {doc.ContentHash[..12]})");
            return ExitCodes.Ok;
        });
        return cmd;
    }

    private static Command Show()
    {
        var configOption = CliCommon.ConfigOption();
        var json = CliCommon.JsonOption();
        var cmd = new Command("show", "Print the effective config with defaults filled in (secrets shown as references only)") { configOption, json };
        cmd.SetAction((parse, ct) =>
        {
            if (LoadValid(parse.GetValue(configOption)) is not { } snapshot) return Task.FromResult(ExitCodes.Failure);
            if (parse.GetValue(json))
            {
                Console.WriteLine(Redacted(snapshot.Config).ToJsonString(Json));
                return Task.FromResult(ExitCodes.Ok);
            }
            var c = snapshot.Config;
            Console.WriteLine($"config   {snapshot.SourcePath}");
            Console.WriteLine($"version  {snapshot.ContentHash}");
            Console.WriteLine($"env      {c.Environment ?? "(none)"}; listen {c.Server.Listen}; storage {c.Server.Storage.Kind}");
            Console.WriteLine($"tenants {c.Tenants.Count}, principals {c.Principals.Count}, groups {c.Groups.Count}, providers {c.Providers.Count}, models {c.Models.Count}, keys {c.Keys.Count}");
            Console.WriteLine($"agents {c.Agents.Count}, tools {c.Tools.Count}, connectors {c.Connectors.Count}, guard policies {c.Guards.Count}, retention rules {c.Retention.Count}");
            return Task.FromResult(ExitCodes.Ok);
        });
        return cmd;
    }

    private static Command Schema()
    {
        var markdown = new Option<bool>("--markdown") { Description = "Write the Markdown reference (docs/configuration.md's generated part) instead" };
        var output = new Option<string?>("--output", "-o") { Description = "Write to this file instead of stdout" };
        var cmd = new Command("schema", "Print the JSON Schema of attest.yaml (docs/attest.schema.json), generated from the config types") { markdown, output };
        cmd.SetAction(async (parse, ct) =>
        {
            var text = parse.GetValue(markdown) ? ConfigReference.Generate() : ConfigSchema.Generate();
            if (parse.GetValue(output) is { } path) await File.WriteAllTextAsync(path, text, ct);
            else Console.Write(text);
            return ExitCodes.Ok;
        });
        return cmd;
    }

    /// <summary>Loads and validates the config a verb names; prints every error and returns null when it is invalid.</summary>
    internal static PolicySnapshot? LoadValid(FileInfo? given)
    {
        var path = CliCommon.ResolveConfigPath(given);
        if (!File.Exists(path))
        {
            CliCommon.Fail($"{path}: no such file (run 'attest init' to write a starter config)");
            return null;
        }
        try { return ConfigLoader.LoadFile(path); }
        catch (ConfigException e)
        {
            Console.Error.WriteLine(e.Message);
            CliCommon.Fail($"{path}: invalid config (see 'attest config validate')");
            return null;
        }
    }

    /// <summary>The config as JSON with canary tokens masked; secrets are already references (env/file), never values.</summary>
    internal static JsonNode Redacted(AttestConfig config)
    {
        var node = JsonSerializer.SerializeToNode(config, Json)!;
        foreach (var tenant in node["tenants"]!.AsArray())
        {
            if (tenant?["canaries"] is JsonArray canaries)
                tenant["canaries"] = new JsonArray([.. canaries.Select(_ => (JsonNode)"[redacted]")]);
        }
        return node;
    }
}
