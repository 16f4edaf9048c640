using System.IO.Compression;
using System.Security.Cryptography;
using Attest.Core.Audit;
using Attest.Evidence.Catalog;
using Attest.Evidence.Export;
using Attest.Evidence.Model;
using Attest.Evidence.Questionnaire;
using NJsonSchema;

namespace Attest.Evidence.Tests;

public class ReportTests
{
    private static string RepoRoot()
    {
        var d = new DirectoryInfo(AppContext.BaseDirectory);
        while (d is not null && !File.Exists(Path.Combine(d.FullName, "Attest.slnx"))) d = d.Parent;
        return d?.FullName ?? throw new InvalidOperationException("repository root not found");
    }

    /// <summary>The official schemas live in shared/schemas beside the repository (or beside one of its parent folders).</summary>
    private static string SchemaPath(string name)
    {
        for (var d = new DirectoryInfo(RepoRoot()).Parent; d is not null; d = d.Parent)
        {
            var p = Path.Combine(d.FullName, "shared", "schemas", name);
            if (File.Exists(p)) return p;
        }
        throw new FileNotFoundException($"shared/schemas/{name} not found beside the repository");
    }

    private static readonly AuditEventView[] Events =
        [
            Fixtures.Event(AuditEventTypes.ChatResponse, model: new AuditModel("chat", "gpt-4o-2024-08-06", "openai"), tokens: 120, attrs: new() { ["ai_disclosure"] = "true" }),
            Fixtures.Event(AuditEventTypes.GuardFinding, decision: "block", reasons: ["injection.override"]),
            Fixtures.Event(AuditEventTypes.RetentionPurged),
        ];

    private static async Task<ReportBundle> BundleAsync()
    {
        var inputs = Fixtures.Inputs(events: Events, keys: [new KeyFact("k1", "acme", null, ["chat"], [], Fixtures.End.AddDays(9), null, 60, null)],
            integrity: new AuditIntegrity { Verified = true, Entries = 3, Checkpoints = 1, CheckpointsContinuous = true, LatestCheckpoint = "attest\n3\nabc=\n", LatestCheckpointSize = 3 });
        var run = await EvidenceEngine.RunAsync(inputs, new FixedTime(Fixtures.Now));
        return ReportBundle.From(run);
    }

    private static async Task AssertValidAsync(string schemaFile, string json)
    {
        var schema = await JsonSchema.FromFileAsync(SchemaPath(schemaFile));
        var errors = schema.Validate(json);
        Assert.True(errors.Count == 0, string.Join("\n", errors.Select(e => $"{e.Path}: {e.Kind}")));
    }

    [Fact]
    public async Task Oscal_assessment_results_are_valid_against_the_official_schema()
    {
        var b = await BundleAsync();
        await AssertValidAsync("oscal_assessment-results_schema-1.2.1.json", OscalWriter.AssessmentResults(b));
    }

    [Fact]
    public async Task Oscal_component_definition_is_valid_against_the_official_schema()
    {
        await AssertValidAsync("oscal_component_schema-1.2.1.json", OscalWriter.ComponentDefinition(ControlCatalog.Default, Fixtures.Now));
    }

    [Fact]
    public async Task Oscal_schema_validation_rejects_a_broken_document()
    {
        var b = await BundleAsync();
        var broken = OscalWriter.AssessmentResults(b).Replace("\"oscal-version\"", "\"oscal-versio\"", StringComparison.Ordinal);
        var schema = await JsonSchema.FromFileAsync(SchemaPath("oscal_assessment-results_schema-1.2.1.json"));
        Assert.NotEmpty(schema.Validate(broken));
    }

    [Fact]
    public async Task Same_run_writes_the_same_oscal_document()
    {
        Assert.Equal(OscalWriter.AssessmentResults(await BundleAsync()), OscalWriter.AssessmentResults(await BundleAsync()));
    }

    [Fact]
    public async Task Html_report_is_self_contained()
    {
        var html = HtmlReport.Render(await BundleAsync());
        Assert.Contains("<svg", html);
        Assert.Contains("billing-bot", html);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotMatch("(src|href)=\"https?://", html);
    }

    [Fact]
    public async Task Evidence_pack_verifies_and_detects_tampering()
    {
        var dir = Path.Combine(Path.GetTempPath(), "attest-evidence-" + Guid.NewGuid().ToString("n"));
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        ReportWriter.Write(await BundleAsync(), dir, key);
        var zip = Path.Combine(dir, "evidence.zip");
        foreach (var f in new[] { "index.html", "report.md", "report.json", "oscal-assessment-results.json", "oscal-component-definition.json", "dataflow.svg" })
            Assert.True(File.Exists(Path.Combine(dir, f)), f);
        using var pub = ECDsa.Create();
        pub.ImportFromPem(key.ExportSubjectPublicKeyInfoPem());
        Assert.True(EvidencePack.Verify(zip, pub).Valid);

        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        Assert.Contains(EvidencePack.Verify(zip, other).Problems, p => p.Contains("does not verify"));

        var edited = Path.Combine(dir, "edited.zip");
        File.Copy(zip, edited);
        using (var z = ZipFile.Open(edited, ZipArchiveMode.Update))
        {
            var e = z.GetEntry("report.json")!;
            e.Delete();
            using var w = new StreamWriter(z.CreateEntry("report.json").Open());
            w.Write("{}");
            using var extra = new StreamWriter(z.CreateEntry("extra.txt").Open());
            extra.Write("x");
        }
        var v = EvidencePack.Verify(edited, pub);
        Assert.False(v.Valid);
        Assert.Contains(v.Problems, p => p.StartsWith("report.json") && p.Contains("modified"));
        Assert.Contains(v.Problems, p => p.StartsWith("extra.txt") && p.Contains("added"));
    }

    [Fact]
    public async Task Questionnaire_sample_is_answered_with_real_controls_and_flags_the_unanswerable()
    {
        var sample = Path.Combine(RepoRoot(), "samples", "questionnaire", "ai-security-questionnaire.csv");
        var (header, questions) = QuestionnaireFiles.Read(sample);
        Assert.True(questions.Count >= 60);
        var b = await BundleAsync();
        var answers = QuestionnaireFiller.Fill(questions, b.Run.Controls);
        var ids = ControlCatalog.Default.Controls.Select(c => c.Id).ToHashSet();
        foreach (var a in answers.Where(a => !a.NeedsHuman))
        {
            Assert.Contains(a.Response, new[] { "Yes", "No", "Partial" });
            Assert.NotEmpty(a.Controls);
            Assert.All(a.Controls, c => Assert.Contains(c, ids));
            Assert.NotEmpty(a.Evidence);
        }
        var byId = answers.ToDictionary(a => a.QuestionId);
        Assert.True(byId["Q55"].NeedsHuman); // background checks: outside Attest's view
        Assert.Equal("", byId["Q55"].Response);
        Assert.True(byId["Q27"].NeedsHuman); // training on customer data: nothing to answer from
        Assert.False(byId["Q12"].NeedsHuman);
        Assert.Contains("ATT-LOG-01", byId["Q12"].Controls);
        Assert.Contains("ATT-GRD-02", byId["Q36"].Controls);

        var dir = Path.Combine(Path.GetTempPath(), "attest-q-" + Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(dir);
        var xlsx = Path.Combine(dir, "out.xlsx");
        QuestionnaireFiles.Write(xlsx, header, questions, answers);
        var (h2, q2) = QuestionnaireFiles.Read(xlsx);
        Assert.Equal(questions.Count, q2.Count);
        Assert.Contains("attest_answer", h2);
        var csv = Path.Combine(dir, "out.csv");
        QuestionnaireFiles.Write(csv, header, questions, answers);
        Assert.Equal(questions.Count, QuestionnaireFiles.Read(csv).Questions.Count);
    }

    [Fact]
    public void Csv_parser_handles_quotes_and_reports_unterminated_fields()
    {
        var rows = QuestionnaireFiles.ParseCsv("id,question\n1,\"Do you log, \"\"everything\"\"?\"\n");
        Assert.Equal("Do you log, \"everything\"?", rows[1][1]);
        var e = Assert.Throws<QuestionnaireFormatException>(() => QuestionnaireFiles.ParseCsv("id,question\n1,\"open", "q.csv"));
        Assert.StartsWith("q.csv:2:", e.Message);
    }

    [Fact]
    public async Task Readiness_lists_human_evidence_and_gaps_honestly()
    {
        var b = await BundleAsync();
        var r = b.Run.Readiness;
        Assert.Equal(ReadinessStatus.HumanEvidence, r.Criteria.Single(c => c.Criterion.Id == "CC1.1").Status);
        var md = MarkdownReport.Render(b);
        Assert.Contains("Outside Attest's view", md);
        Assert.Contains("CC1.4", md);
    }
}
