using System.Text;
using Attest.Core.Guards;
using Attest.Guards.Pipeline;
using Attest.Guards.Streaming;

namespace Attest.Guards.Tests;

/// <summary>The streaming session under an output schema: windows skip the schema, the whole answer is checked at Complete.</summary>
public sealed class StreamedSchemaTests
{
    private const string Yaml = """
        version: 1
        providers: [{ id: local, type: offline }]
        models:
          - { alias: extract, targets: [{ provider: local, model: offline-echo-2026-01 }] }
          - { alias: retrying, targets: [{ provider: local, model: offline-echo-2026-01 }] }
          - { alias: chat, targets: [{ provider: local, model: offline-echo-2026-01 }] }
        guards:
          - id: extract-json
            models: [extract]
            outputSchema: { type: object, required: [name], properties: { name: { type: string } } }
          - id: extract-retry
            models: [retrying]
            onSchemaFailure: retry
            outputSchema: { type: object, required: [name] }
        """;

    private static GuardContext Output(string? model) => TestPipelines.Ctx(GuardDirection.Output) with { Model = model };

    private static (string Released, GuardStreamStep Last) Run(IStreamingGuardSession s, string text, int piece)
    {
        var released = new StringBuilder();
        for (int i = 0; i < text.Length; i += piece)
        {
            var step = s.Push(text[i..Math.Min(text.Length, i + piece)]);
            Assert.Null(step.Block); // partial JSON is never judged against the schema
            released.Append(step.Release);
        }
        var last = s.Complete();
        if (last.Block is null) released.Append(last.Release);
        return (released.ToString(), last);
    }

    [Fact]
    public void A_session_says_whether_it_validates_the_whole_output()
    {
        var p = TestPipelines.Default(Yaml);
        Assert.True(Assert.IsAssignableFrom<IWholeOutputSession>(p.BeginStream(Output("extract"))).ValidatesWholeOutput);
        Assert.False(((IWholeOutputSession)p.BeginStream(Output("chat"))).ValidatesWholeOutput);
        Assert.False(((IWholeOutputSession)p.BeginStream(TestPipelines.Ctx(GuardDirection.Input) with { Model = "extract" })).ValidatesWholeOutput);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(500)]
    public void Valid_json_split_anywhere_passes_and_is_released_whole(int piece)
    {
        var json = "{\"name\":\"" + new string('x', 300) + "\",\"extra\":[1,2,3]}";
        var (released, last) = Run(TestPipelines.Default(Yaml).BeginStream(Output("extract")), json, piece);
        Assert.Null(last.Block);
        Assert.Equal(json, released);
    }

    [Fact]
    public void Invalid_output_blocks_at_complete_with_the_schema_reason_and_the_policy()
    {
        var audit = new RecordingAudit();
        var (_, last) = Run(TestPipelines.Default(Yaml, audit).BeginStream(Output("extract")), "{\"title\":\"no name here\"}", 4);
        Assert.NotNull(last.Block);
        Assert.Equal(GuardAction.Block, last.Block!.Action);
        Assert.Contains("schema.PropertyRequired", last.Block.Reasons);
        Assert.Contains("policy:extract-json", last.Block.Reasons);
        Assert.False(last.Block.SchemaRetryRequested());
        Assert.Contains(audit.Records, r => r.Decision == "block" && r.Reasons.Contains("schema.PropertyRequired"));
    }

    [Fact]
    public void A_truncated_answer_fails_and_a_retry_policy_marks_the_block_for_retry()
    {
        var (_, last) = Run(TestPipelines.Default(Yaml).BeginStream(Output("retrying")), "{\"name\":\"Ann", 2);
        Assert.Contains("schema.invalid_json", last.Block!.Reasons);
        Assert.True(last.Block.SchemaRetryRequested());
    }

    [Fact]
    public void Other_guards_still_block_mid_stream_under_a_schema()
    {
        var s = TestPipelines.Default(Yaml).BeginStream(Output("extract"));
        var step = s.Push("{\"name\":\"key AKIAQ3EGRZ7PLM4KXW2D\"}");
        var last = step.Block is null ? s.Complete() : step;
        Assert.NotNull(last.Block);
        Assert.DoesNotContain(last.Block!.Reasons, r => r.StartsWith("schema.", StringComparison.Ordinal));
    }

    [Fact]
    public void Without_a_schema_prose_streams_through()
    {
        var (released, last) = Run(TestPipelines.Default(Yaml).BeginStream(Output("chat")), "plain prose, not JSON", 5);
        Assert.Null(last.Block);
        Assert.Equal("plain prose, not JSON", released);
    }
}
