using System.CommandLine;
using System.Security.Cryptography;
using Attest.Core.Config;
using Attest.Evidence;
using Attest.Evidence.Export;
using Attest.Evidence.Model;
using Attest.Evidence.Questionnaire;
using Attest.Server.Evidence;
using Attest.Storage;

namespace Attest.Cli.Commands;

/// <summary><c>attest report</c>, <c>attest report verify</c> and <c>attest questionnaire fill</c>.</summary>
internal sealed class ReportCommands : ICliModule
{
    public IEnumerable<Command> Commands()
    {
        var config = CliCommon.ConfigOption();
        var period = new Option<string?>("--period") { Description = "Period YYYY-MM-DD..YYYY-MM-DD (default: the last 30 days)" };
        var output = new Option<DirectoryInfo>("--out") { Description = "Folder to write the report into", Required = true };
        var k8s = new Option<string[]>("--k8s") { Description = "Kubernetes manifests to scan for the CC6 posture test", AllowMultipleArgumentsPerToken = true };
        var report = new Command("report", "Compute every control test over a period and write HTML, Markdown, JSON, OSCAL and a signed evidence.zip") { config, period, output, k8s };
        report.SetAction(async (parse, ct) =>
        {
            var run = await RunAsync(parse.GetValue(config), parse.GetValue(period), parse.GetValue(k8s) ?? [], ct);
            if (run.Error is not null) return CliCommon.Fail(run.Error, run.ErrorCode);
            var dir = parse.GetValue(output)!.FullName;
            using var key = EvidenceSigningKey.LoadOrCreate(run.Policy!);
            var bundle = ReportBundle.From(run.Run!);
            ReportWriter.Write(bundle, dir, key);
            var c = run.Run!.Controls;
            Console.WriteLine($"Evidence report {bundle.PeriodText}: {c.Count(x => x.Result.Status == ControlStatus.Pass)} controls pass, {c.Count(x => x.Result.Status == ControlStatus.Fail)} fail, "
                + $"{c.Count(x => x.Result.Status is ControlStatus.NeedsAttention or ControlStatus.NotComputable)} need attention ({run.Run.EventsRead} audit events read).");
            Console.WriteLine($"Open {Path.Combine(dir, "index.html")}; signed pack {Path.Combine(dir, "evidence.zip")} (key {EvidencePack.KeyId(key)}).");
            return ExitCodes.Ok;
        });

        var zip = new Argument<FileInfo>("pack") { Description = "evidence.zip to verify" };
        var pubkey = new Option<FileInfo?>("--pubkey") { Description = "Trusted public key (PEM); without it only internal consistency is checked" };
        var verify = new Command("verify", "Verify an evidence pack: manifest signature and every file's SHA-256") { zip, pubkey };
        verify.SetAction(parse =>
        {
            ECDsa? trusted = null;
            if (parse.GetValue(pubkey) is { } pk)
            {
                if (!pk.Exists) return CliCommon.Fail($"{pk.FullName}: no such file", ExitCodes.Usage);
                trusted = ECDsa.Create();
                try { trusted.ImportFromPem(File.ReadAllText(pk.FullName)); }
                catch (ArgumentException) { return CliCommon.Fail($"{pk.FullName}: not a PEM public key", ExitCodes.Usage); }
            }
            using (trusted)
            {
                var v = EvidencePack.Verify(parse.GetValue(zip)!.FullName, trusted);
                foreach (var p in v.Problems) Console.Error.WriteLine($"attest: {p}");
                Console.WriteLine(v.Valid
                    ? $"evidence pack verified: {v.Files} files, key {v.KeyId}{(trusted is null ? " (embedded key: pass --pubkey to check who signed it)" : "")}"
                    : "evidence pack FAILED verification");
                return v.Valid ? ExitCodes.Ok : ExitCodes.Failure;
            }
        });
        report.Subcommands.Add(verify);

        var qin = new Argument<FileInfo>("questionnaire") { Description = "Questionnaire (.csv or .xlsx) with a 'question' column" };
        var qout = new Option<FileInfo>("--out") { Description = "Output file (.csv or .xlsx)", Required = true };
        var qconfig = CliCommon.ConfigOption();
        var qperiod = new Option<string?>("--period") { Description = "Period the answers are computed over (default: the last 30 days)" };
        var json = CliCommon.JsonOption();
        var fill = new Command("fill", "Answer a security questionnaire from the controls' computed status, flagging what needs a human") { qin, qout, qconfig, qperiod, json };
        fill.SetAction(async (parse, ct) =>
        {
            (IReadOnlyList<string> Header, IReadOnlyList<Question> Questions) q;
            try { q = QuestionnaireFiles.Read(parse.GetValue(qin)!.FullName); }
            catch (QuestionnaireFormatException e) { return CliCommon.Fail(e.Message, ExitCodes.Usage); }
            var run = await RunAsync(parse.GetValue(qconfig), parse.GetValue(qperiod), [], ct);
            if (run.Error is not null) return CliCommon.Fail(run.Error, run.ErrorCode);
            var answers = QuestionnaireFiller.Fill(q.Questions, run.Run!.Controls);
            try { QuestionnaireFiles.Write(parse.GetValue(qout)!.FullName, q.Header, q.Questions, answers); }
            catch (QuestionnaireFormatException e) { return CliCommon.Fail(e.Message, ExitCodes.Usage); }
            var human = answers.Count(a => a.NeedsHuman);
            if (parse.GetValue(json))
                Console.WriteLine(System.Text.Json.JsonSerializer.Serialize(answers, JsonReport.Options));
            Console.WriteLine($"{answers.Count} questions: {answers.Count(a => a.Response == "Yes")} yes, {answers.Count(a => a.Response == "Partial")} partial, "
                + $"{answers.Count(a => a.Response == "No")} no, {human} flagged for a human -> {parse.GetValue(qout)!.FullName}");
            return ExitCodes.Ok;
        });
        var questionnaire = new Command("questionnaire", "Security questionnaires") { fill };
        return [report, questionnaire];
    }

    private sealed record RunOutcome(PolicySnapshot? Policy, EvidenceRun? Run, string? Error, int ErrorCode = ExitCodes.Failure);

    private static async Task<RunOutcome> RunAsync(FileInfo? configFile, string? periodText, string[] k8sPaths, CancellationToken ct)
    {
        var path = CliCommon.ResolveConfigPath(configFile);
        if (!File.Exists(path)) return new RunOutcome(null, null, $"{path}: no such file (run 'attest init' or pass --config)", ExitCodes.Usage);
        PolicySnapshot policy;
        try { policy = ConfigLoader.LoadFile(path); }
        catch (Exception e) when (e is YamlDotNet.Core.YamlException or ConfigException) { return new RunOutcome(null, null, e.Message, ExitCodes.Usage); }
        ReportPeriod period;
        if (periodText is null) period = ReportPeriod.LastDays(TimeProvider.System.GetUtcNow(), 30);
        else if (!ReportPeriod.TryParse(periodText, out period, out var err)) return new RunOutcome(null, null, err, ExitCodes.Usage);
        IReadOnlyList<PostureFinding>? posture = null;
        if (k8sPaths.Length > 0)
        {
            var scan = PostureInput.Scan(k8sPaths, policy);
            if (scan.Error is not null) return new RunOutcome(null, null, scan.Error, ExitCodes.Usage);
            posture = scan.Findings;
        }
        await using var db = await StorageFactory.CreateAndMigrateAsync(policy, ct);
        var inputs = await EvidenceCollector.CollectAsync(policy, db, period.Start, period.End, posture, ct);
        var run = await EvidenceEngine.RunAsync(inputs, TimeProvider.System, cancellationToken: ct);
        return new RunOutcome(policy, run, null);
    }
}
