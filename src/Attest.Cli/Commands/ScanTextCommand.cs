using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Attest.Core.Config;
using Attest.Core.Guards;
using Attest.Core.Identity;
using Attest.Guards.Pipeline;

namespace Attest.Cli.Commands;

/// <summary>
/// <c>attest scan text [FILE|-] [--direction input|retrieved|output] [--json]</c> and <c>attest scan text --jsonl IN</c>:
/// runs every guard with the default policy. Findings name line:column and rule, never the matched content.
/// Exit 1 when the default policy would block.
/// </summary>
internal sealed class ScanTextCommand : IScanSubcommand
{
    public Command Create()
    {
        var file = new Argument<string?>("file") { Description = "File to scan, or - for standard input", Arity = ArgumentArity.ZeroOrOne };
        var direction = new Option<string>("--direction") { Description = "input, retrieved, tool_arguments, tool_result or output", DefaultValueFactory = _ => "input" };
        var json = CliCommon.JsonOption();
        var jsonl = new Option<FileInfo?>("--jsonl") { Description = "Batch mode: one JSON object with a \"text\" field per line; one JSON line of findings per input" };
        var command = new Command("text", "Scan text for PII, secrets, prompt injection and content rules") { file, direction, json, jsonl };
        command.SetAction(async (parse, ct) =>
        {
            if (!TryDirection(parse.GetValue(direction)!, out var dir))
                return CliCommon.Fail($"--direction must be input, retrieved, tool_arguments, tool_result or output (got '{parse.GetValue(direction)}')", ExitCodes.Usage);
            var pipeline = GuardPipelineBuilder.CreateDefault(new StaticPolicySource(new PolicySnapshot(new AttestConfig(), "default"))).Build();
            var context = new GuardContext { Direction = dir, Identity = new RequestIdentity { Tenant = "cli" } };
            if (parse.GetValue(jsonl) is { } batch) return await BatchAsync(batch, pipeline, context, ct);
            var path = parse.GetValue(file) ?? "-";
            string text;
            try { text = path == "-" ? await Console.In.ReadToEndAsync(ct) : await File.ReadAllTextAsync(path, ct); }
            catch (IOException e) { return CliCommon.Fail($"{path}: {e.Message}", ExitCodes.Usage); }
            catch (UnauthorizedAccessException) { return CliCommon.Fail($"{path}: permission denied", ExitCodes.Usage); }
            var verdict = await pipeline.EvaluateAsync(text, context, ct);
            if (parse.GetValue(json)) Console.WriteLine(ToJson(text, verdict).ToJsonString());
            else Print(path, text, verdict);
            return verdict.Action == GuardAction.Block ? ExitCodes.Failure : ExitCodes.Ok;
        });
        return command;
    }

    private static async Task<int> BatchAsync(FileInfo input, GuardPipeline pipeline, GuardContext context, CancellationToken ct)
    {
        if (!input.Exists) return CliCommon.Fail($"{input.FullName}: file not found", ExitCodes.Usage);
        int lineNo = 0, errors = 0;
        bool blocked = false;
        await foreach (var line in File.ReadLinesAsync(input.FullName, ct))
        {
            lineNo++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            string? text;
            try { text = JsonNode.Parse(line)?["text"]?.GetValue<string>(); }
            catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
            {
                errors++;
                CliCommon.Fail($"{input.Name}:{lineNo}:1: not a JSON object with a string \"text\" field");
                continue;
            }
            if (text is null)
            {
                errors++;
                CliCommon.Fail($"{input.Name}:{lineNo}:1: missing \"text\" field");
                continue;
            }
            var verdict = await pipeline.EvaluateAsync(text, context, ct);
            blocked |= verdict.Action == GuardAction.Block;
            var o = ToJson(text, verdict);
            o["line"] = lineNo;
            Console.WriteLine(o.ToJsonString());
        }
        return errors > 0 ? ExitCodes.Usage : blocked ? ExitCodes.Failure : ExitCodes.Ok;
    }

    private static JsonObject ToJson(string text, GuardVerdict v) => new()
    {
        ["action"] = v.Action.ToString().ToLowerInvariant(),
        ["faulted"] = v.Faulted,
        ["reasons"] = new JsonArray([.. v.Reasons.Select(r => JsonValue.Create(r))]),
        ["findings"] = new JsonArray([.. v.Findings.Select(f =>
        {
            var (line, col) = LineColumn(text, f.Start);
            return (JsonNode)new JsonObject { ["type"] = f.Type, ["rule"] = f.RuleId, ["start"] = f.Start, ["length"] = f.Length, ["line"] = line, ["column"] = col, ["score"] = Math.Round(f.Score, 3) };
        })]),
    };

    private static void Print(string path, string text, GuardVerdict v)
    {
        foreach (var f in v.Findings)
        {
            var (line, col) = LineColumn(text, f.Start);
            Console.WriteLine($"{path}:{line}:{col}: {f.Type} ({f.RuleId}, score {f.Score:0.00}, {f.Length} chars)");
        }
        Console.WriteLine($"{v.Findings.Count} finding(s); default policy action: {v.Action.ToString().ToLowerInvariant()}");
    }

    private static (int Line, int Column) LineColumn(string text, int offset)
    {
        int line = 1, lineStart = 0;
        for (int i = 0; i < offset && i < text.Length; i++)
            if (text[i] == '\n') { line++; lineStart = i + 1; }
        return (line, offset - lineStart + 1);
    }

    private static bool TryDirection(string value, out GuardDirection direction)
    {
        direction = value.ToLowerInvariant() switch
        {
            "input" => GuardDirection.Input,
            "retrieved" => GuardDirection.Retrieved,
            "tool_arguments" or "tool-arguments" => GuardDirection.ToolArguments,
            "tool_result" or "tool-result" => GuardDirection.ToolResult,
            "output" => GuardDirection.Output,
            _ => (GuardDirection)(-1),
        };
        return (int)direction >= 0;
    }
}
