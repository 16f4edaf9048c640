using System.Text.Json.Nodes;
using Attest.Core.Config;

namespace Attest.Core.Tests.Config;

public class ConfigLoaderTests
{
    [Fact]
    public void Sample_config_is_valid()
    {
        var doc = ConfigLoader.Read(File.ReadAllText(RepoPaths.Of("samples", "attest.yaml")), "attest.yaml");
        Assert.Empty(ConfigLoader.Validate(doc));
        Assert.Equal("dev", doc.Config.Environment);
        Assert.Contains(doc.Config.Tenants, t => t.Id == "acme");
    }

    [Fact]
    public void Positions_of_records_and_members_are_kept()
    {
        const string yaml = "version: 1\ntenants:\n  - id: acme\n  -   id: globex\n      name: Globex\n";
        var doc = ConfigLoader.Read(yaml);
        var globex = doc.Config.Tenants[1];
        Assert.Equal(new ConfigLocation(4, 7), doc.Map.Of(globex));
        Assert.Equal(new ConfigLocation(5, 13), doc.Map.Of(globex, "name"));
        Assert.Equal(new ConfigLocation(3, 9), doc.Map.Of(doc.Config.Tenants[0], "id"));
        Assert.Equal(new ConfigLocation(4, 7), doc.Map.Of(doc.Config, "tenants", 1));
    }

    [Fact]
    public void Equal_records_keep_their_own_positions()
    {
        var doc = ConfigLoader.Read("tenants:\n  - id: a\n  - id: a\n");
        Assert.Equal(doc.Config.Tenants[0], doc.Config.Tenants[1]);
        Assert.NotEqual(doc.Map.Of(doc.Config.Tenants[0]), doc.Map.Of(doc.Config.Tenants[1]));
    }

    [Fact]
    public void Schemas_written_in_yaml_come_out_as_json_compatible_values()
    {
        const string yaml = """
            tools:
              - id: refund
                kind: http
                url: https://pay.internal/refund
                argumentsSchema:
                  type: object
                  required: [amount, "order"]
                  properties:
                    amount: {type: number, maximum: 250.5, minimum: 0}
                    order: {type: string, pattern: "^[0-9]+$"}
                    rush: {type: boolean, default: false}
                    note: {type: [string, "null"], default: ~}
                  additionalProperties: false
            """;
        var schema = ConfigLoader.Parse(yaml).Tools[0].ArgumentsSchema!;
        Assert.IsType<Dictionary<string, object?>>(schema["properties"]);
        Assert.Equal(new List<object?> { "amount", "order" }, schema["required"]);
        var props = (Dictionary<string, object?>)schema["properties"]!;
        var amount = (Dictionary<string, object?>)props["amount"]!;
        Assert.Equal(250.5, amount["maximum"]);
        Assert.Equal(0L, amount["minimum"]);
        Assert.Equal(false, ((Dictionary<string, object?>)props["rush"]!)["default"]);
        Assert.Null(((Dictionary<string, object?>)props["note"]!)["default"]);

        var node = ConfigJson.ToJsonObject(schema)!;
        Assert.Equal("^[0-9]+$", node["properties"]!["order"]!["pattern"]!.GetValue<string>());
        Assert.Equal(250.5, node["properties"]!["amount"]!["maximum"]!.GetValue<double>());
        Assert.False(node["additionalProperties"]!.GetValue<bool>());
        Assert.Equal("""["string","null"]""", node["properties"]!["note"]!["type"]!.ToJsonString());
        Assert.IsType<JsonArray>(node["required"]);
    }

    [Fact]
    public void Quoted_scalars_stay_strings_in_schemas()
    {
        var schema = ConfigLoader.Parse("tools:\n  - id: t\n    argumentsSchema: {const: \"42\", enum: ['true', 7]}\n").Tools[0].ArgumentsSchema!;
        Assert.Equal("42", schema["const"]);
        Assert.Equal(new List<object?> { "true", 7L }, schema["enum"]);
    }

    [Fact]
    public void Parse_throws_on_unknown_keys_but_not_on_semantic_rules()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Parse("tenants:\n  - id: a\n    nmae: A\n"));
        Assert.Equal("attest.yaml:3:5: unknown key 'nmae' in 'tenants[0]' (did you mean 'name'?)", e.Message);
        // An agent with no owner binds (Parse) but does not validate (LoadText).
        const string yaml = "agents:\n  - id: bot\n";
        Assert.Single(ConfigLoader.Parse(yaml).Agents);
        var errors = Assert.Throws<ConfigException>(() => ConfigLoader.LoadText(yaml, "x.yaml")).Errors;
        Assert.Contains(errors, x => x.ToString() == "x.yaml:2:5: agent 'bot' has no owner");
    }

    [Fact]
    public void Every_error_is_reported_not_just_the_first()
    {
        const string yaml = "version: 2\ntenants:\n  - id: a\n  - id: a\nconnectors:\n  - id: crm\n";
        var errors = ConfigLoader.Validate(ConfigLoader.Read(yaml, "f.yaml")).Select(e => e.ToString()).ToList();
        Assert.Contains("f.yaml:1:10: 'version' is 2; only version 1 is defined", errors);
        Assert.Contains("f.yaml:4:9: duplicate tenant id 'a' (first declared at line 3)", errors);
        Assert.Contains("f.yaml:6:5: connector 'crm' has no owner", errors);
        Assert.Contains("f.yaml:6:5: connector 'crm' has no eval cases (add at least one query with its expected document)", errors);
    }

    [Fact]
    public void Snapshot_from_loaded_text_carries_hash_and_text()
    {
        const string yaml = "version: 1\n";
        var snapshot = ConfigLoader.LoadText(yaml, "a.yaml");
        Assert.Equal(ConfigLoader.Hash(yaml), snapshot.ContentHash);
        Assert.Equal(yaml, snapshot.SourceText);
        Assert.Equal(64, snapshot.ContentHash.Length);
    }

    [Theory]
    [InlineData("gpt-4o-2024-08-06", true)]
    [InlineData("claude-3-5-sonnet-20241022", true)]
    [InlineData("text-embedding-3-small-001", true)]
    [InlineData("llama3:8.1", true)]
    [InlineData("offline-echo-2026-01", true)]
    [InlineData("gpt-4o", false)]
    [InlineData("gpt-4o-latest", false)]
    [InlineData("claude-3-5-sonnet-latest", false)]
    [InlineData("mistral-large-2407-latest", false)]
    public void Pinned_model_versions(string model, bool pinned) => Assert.Equal(pinned, PinnedModelsRule.IsPinned(model));

    [Theory]
    [InlineData("sk-proj-abcdefghijklmnopqrstuvwxyz012345", true)]
    [InlineData("AKIAABCDEFGHIJKLMNOP", true)]
    [InlineData("Host=db;Username=a;Password=hunter2", true)]
    [InlineData("https://user:pw@example.com", true)]
    [InlineData("-----BEGIN EC PRIVATE KEY-----", true)]
    [InlineData("OPENAI_API_KEY", false)]
    [InlineData("https://api.openai.com/v1", false)]
    [InlineData("risk-assessment-team", false)]
    public void Credential_detection(string value, bool credential) => Assert.Equal(credential, LiteralSecretsRule.Detect(value) is not null);
}
