using System.Text.Json.Nodes;
using Attest.Core.Config;

namespace Attest.Core.Tests.Config;

/// <summary>
/// The published schema and reference are generated from the config types; these tests fail when a
/// checked-in copy differs. Set ATTEST_UPDATE_SNAPSHOTS=1 to rewrite them (then review the diff).
/// </summary>
public class SchemaSyncTests
{
    private static bool Update => Environment.GetEnvironmentVariable("ATTEST_UPDATE_SNAPSHOTS") == "1";

    [Fact]
    public void Checked_in_schema_matches_the_config_types()
    {
        var path = RepoPaths.Of("docs", "attest.schema.json");
        var generated = ConfigSchema.Generate();
        if (Update)
        {
            File.WriteAllText(path, generated);
            return;
        }
        Assert.True(File.ReadAllText(path) == generated,
            "docs/attest.schema.json is out of date: run `attest config schema -o docs/attest.schema.json` or the tests with ATTEST_UPDATE_SNAPSHOTS=1");
    }

    [Fact]
    public void Checked_in_reference_matches_the_schema()
    {
        var path = RepoPaths.Of("docs", "configuration.md");
        var text = File.ReadAllText(path);
        var begin = text.IndexOf(ConfigReference.BeginMarker, StringComparison.Ordinal);
        var end = text.IndexOf(ConfigReference.EndMarker, StringComparison.Ordinal);
        Assert.True(begin >= 0 && end > begin, "docs/configuration.md lacks the generated reference markers");
        var current = text[begin..(end + ConfigReference.EndMarker.Length + 1)];
        var generated = ConfigReference.Generate();
        if (Update)
        {
            File.WriteAllText(path, text.Replace(current, generated, StringComparison.Ordinal));
            return;
        }
        Assert.True(current == generated,
            "docs/configuration.md's reference is out of date: run `attest config schema --markdown` or the tests with ATTEST_UPDATE_SNAPSHOTS=1");
    }

    [Fact]
    public void Schema_refuses_unknown_keys_lists_vocabularies_and_describes_members()
    {
        var schema = ConfigSchema.GenerateNode();
        Assert.False(schema["additionalProperties"]!.GetValue<bool>());
        var connector = schema["properties"]!["connectors"]!["items"]!;
        Assert.False(connector["additionalProperties"]!.GetValue<bool>());
        var classification = connector["properties"]!["classification"]!;
        Assert.Equal(["public", "internal", "confidential", "restricted", null],
            classification["enum"]!.AsArray().Select(v => v?.GetValue<string>()));
        Assert.Contains("Retention as a duration", connector["properties"]!["retention"]!["description"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.NotNull(connector["properties"]!["retention"]!["pattern"]);
        Assert.Equal("sqlite", schema["properties"]!["server"]!["properties"]!["storage"]!["properties"]!["kind"]!["default"]!.GetValue<string>());
    }

    [Fact]
    public void Every_schema_key_is_accepted_by_the_loader()
    {
        // Keys the schema offers (first level of each section) bind without unknown-key errors.
        var schema = ConfigSchema.GenerateNode();
        foreach (var (name, node) in (JsonObject)schema["properties"]!)
        {
            var items = node!["items"]?["properties"] as JsonObject ?? node["properties"] as JsonObject;
            if (items is null) continue;
            var keys = items.Select(p => p.Key).ToList();
            // Each key with a null value: "section:\n  key: ~" for mappings, "section:\n  - key: ~\n    key2: ~" for lists.
            var yaml = node["items"] is not null
                ? $"{name}:\n  - " + string.Join("    ", keys.Select(k => $"{k}: ~\n"))
                : $"{name}:\n" + string.Concat(keys.Select(k => $"  {k}: ~\n"));
            var doc = ConfigLoader.Read(yaml);
            Assert.DoesNotContain(doc.Errors, e => e.Message.StartsWith("unknown key", StringComparison.Ordinal));
            Assert.True(doc.IsParsed, yaml);
        }
    }
}
