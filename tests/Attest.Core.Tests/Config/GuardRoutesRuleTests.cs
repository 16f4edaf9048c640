using Attest.Core.Config;

namespace Attest.Core.Tests.Config;

public class GuardRoutesRuleTests
{
    private static List<string> Errors(string guards) => [.. ConfigLoader.Validate(ConfigLoader.Read($$"""
        version: 1
        models:
          - alias: extract
            targets: [{ provider: local, model: offline-echo-2026-01 }]
        providers: [{ id: local, type: offline }]
        guards:
        {{guards}}
        """, "g.yaml")).Select(e => e.ToString())];

    [Fact]
    public void A_route_policy_with_a_well_formed_schema_is_valid()
    {
        var errors = Errors("""
              - id: structured
                models: [extract]
                outputSchema:
                  type: object
                  required: [name, age]
                  properties:
                    name: { type: string, minLength: 1, pattern: "^[A-Z]" }
                    age: { type: [integer, "null"], minimum: 0 }
                    tags: { type: array, items: { type: string }, maxItems: 5 }
                  additionalProperties: false
                onSchemaFailure: retry
            """);
        Assert.Empty(errors);
    }

    [Fact]
    public void An_unknown_route_and_a_malformed_schema_are_named_with_their_position()
    {
        var errors = Errors("""
              - id: structured
                models: [extract, nope]
                outputSchema:
                  type: objekt
                  required: name
                  properties:
                    age: { type: integer, minimum: zero }
                    code: { type: string, pattern: "([a-z" }
                    list: { type: array, maxItems: -1, items: string }
            """);
        Assert.Contains("g.yaml:8:23: guard policy 'structured' applies to unknown model alias 'nope'", errors);
        Assert.Contains(errors, e => e.StartsWith("g.yaml:10:7: guard policy 'structured': outputSchema.type: 'objekt' is not a JSON Schema type", StringComparison.Ordinal));
        Assert.Contains("g.yaml:10:7: guard policy 'structured': outputSchema.required: must be a list of property names", errors);
        Assert.Contains("g.yaml:10:7: guard policy 'structured': outputSchema.properties.age.minimum: must be a number", errors);
        Assert.Contains("g.yaml:10:7: guard policy 'structured': outputSchema.properties.code.pattern: is not a valid regular expression", errors);
        Assert.Contains("g.yaml:10:7: guard policy 'structured': outputSchema.properties.list.maxItems: must be a non-negative integer", errors);
        Assert.Equal(5, errors.Count(e => e.Contains("outputSchema", StringComparison.Ordinal))); // at most five per schema
    }
}
