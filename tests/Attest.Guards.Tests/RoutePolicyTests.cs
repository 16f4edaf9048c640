using Attest.Core.Guards;
using Attest.Guards.Pipeline;

namespace Attest.Guards.Tests;

/// <summary>Guard policies per route (<c>guards[].models</c>): an output schema for one model alias only, most specific wins.</summary>
public class RoutePolicyTests
{
    private const string Yaml = """
        version: 1
        providers: [{ id: local, type: offline }]
        models:
          - { alias: extract, targets: [{ provider: local, model: offline-echo-2026-01 }] }
          - { alias: chat, targets: [{ provider: local, model: offline-echo-2026-01 }] }
        guards:
          - id: everywhere
            actions: { output: { pii: flag } }
          - id: extract-json
            models: [extract]
            actions: { output: { pii: redact } }
            onSchemaFailure: retry
            outputSchema: { type: object, required: [name] }
        """;

    private static GuardContext Output(string? model) => TestPipelines.Ctx(GuardDirection.Output) with { Model = model };

    [Fact]
    public async Task The_schema_applies_only_to_its_route()
    {
        var p = TestPipelines.Default(Yaml);
        var onRoute = await p.EvaluateAsync("plain prose", Output("extract"));
        Assert.Equal(GuardAction.Block, onRoute.Action);
        Assert.Contains("schema.invalid_json", onRoute.Reasons);
        Assert.Contains("policy:extract-json", onRoute.Reasons);
        Assert.True(onRoute.SchemaRetryRequested());
        Assert.Equal(GuardAction.Allow, (await p.EvaluateAsync("{\"name\":\"Ann\"}", Output("extract"))).Action);
        Assert.Equal(GuardAction.Allow, (await p.EvaluateAsync("plain prose", Output("chat"))).Action);
        Assert.Equal(GuardAction.Allow, (await p.EvaluateAsync("plain prose", Output(null))).Action);
    }

    [Fact]
    public async Task A_route_policy_overrides_the_global_one_on_its_route_only()
    {
        var p = TestPipelines.Default(Yaml);
        Assert.Equal(GuardAction.Redact, (await p.EvaluateAsync("{\"name\":\"write to ann@example.com\"}", Output("extract"))).Action);
        Assert.Equal(GuardAction.Flag, (await p.EvaluateAsync("write to ann@example.com", Output("chat"))).Action);
    }
}
