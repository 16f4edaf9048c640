using System.Text.Json;
using Attest.Core.Config;
using Attest.Storage;
using Attest.Storage.Config;

namespace Attest.Cli.Tests.Config;

[Collection("attest-cli-console")]
public sealed class ConfigVersionCliTests : IDisposable
{
    private const string V1 = "version: 1\ntenants:\n  - id: acme\n    canaries: [CANARY-7f3a9]\nproviders:\n  - id: openai\n    type: openai\n    apiKey: {env: OPENAI_API_KEY}\n";
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "attest-cli-" + Guid.NewGuid().ToString("n"));
    private readonly string _path;

    public ConfigVersionCliTests()
    {
        Directory.CreateDirectory(_dir);
        _path = Path.Combine(_dir, "attest.yaml");
        File.WriteAllText(_path, V1);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    private async Task<(ConfigVersion, ConfigVersion)> RecordTwoAsync(string v2)
    {
        await using var db = await StorageFactory.CreateAndMigrateAsync(ConfigLoader.LoadFile(_path));
        var store = new ConfigVersionStore(db, TimeProvider.System);
        var a = await store.RecordAsync(V1, _path, "start");
        var b = await store.RecordAsync(v2, _path, "reload");
        await File.WriteAllTextAsync(_path, v2);
        return (a!, b!);
    }

    [Fact]
    public async Task History_diff_and_rollback_work_on_the_configured_database()
    {
        var v2 = V1.Replace("  - id: acme\n", "  - id: acme\n    name: Acme Corp\n", StringComparison.Ordinal);
        var (a, b) = await RecordTwoAsync(v2);

        var history = await CliRunner.RunAsync("config", "history", "--json", "--config", _path);
        Assert.Equal(0, history.ExitCode);
        var rows = JsonDocument.Parse(history.Out).RootElement.EnumerateArray().ToList();
        Assert.Equal([b.Hash, a.Hash], rows.Select(r => r.GetProperty("hash").GetString()));
        Assert.True(rows[0].GetProperty("current").GetBoolean());

        var table = await CliRunner.RunAsync("config", "history", "--config", _path);
        Assert.Contains($"{b.ShortHash}*", table.Out, StringComparison.Ordinal);

        var diff = await CliRunner.RunAsync("config", "diff", a.Hash[..8], b.Hash[..8], "--config", _path);
        Assert.Equal(0, diff.ExitCode);
        var lines = diff.Out.Split('\n');
        Assert.StartsWith($"--- {a.ShortHash}", lines[0], StringComparison.Ordinal);
        Assert.StartsWith($"+++ {b.ShortHash}", lines[1], StringComparison.Ordinal);
        Assert.Equal("@@ -1,6 +1,7 @@", lines[2]); // 3 lines of context either side of the one added line
        Assert.Contains("+    name: Acme Corp", lines);
        Assert.DoesNotContain(lines, l => l.StartsWith('-') && !l.StartsWith("---", StringComparison.Ordinal));

        var rollback = await CliRunner.RunAsync("config", "rollback", "#" + a.Sequence, "--config", _path);
        Assert.Equal(0, rollback.ExitCode);
        Assert.Equal(V1, await File.ReadAllTextAsync(_path));
        var after = JsonDocument.Parse((await CliRunner.RunAsync("config", "history", "--json", "--config", _path)).Out).RootElement;
        Assert.Equal(3, after.GetArrayLength());
        Assert.Equal($"rollback to #{a.Sequence}", after[0].GetProperty("note").GetString());
        Assert.Equal(a.Hash, after[0].GetProperty("hash").GetString());
    }

    [Fact]
    public async Task Unknown_version_and_invalid_rollback_exit_1_without_touching_the_file()
    {
        var (_, b) = await RecordTwoAsync(V1 + "connectors:\n  - id: crm\n    owner: sales\n    classification: internal\n    retention: 1y\n    evalCases: [{query: renewals}]\n");
        var unknown = await CliRunner.RunAsync("config", "diff", "ffffffff", b.Hash[..8], "--config", _path);
        Assert.Equal(1, unknown.ExitCode);
        Assert.Equal(["attest: no stored config version matches 'ffffffff' (see 'attest config history')"], unknown.ErrLines);

        // A version that no longer validates is not restored.
        await using (var db = await StorageFactory.CreateAndMigrateAsync(ConfigLoader.LoadFile(_path)))
            await new ConfigVersionStore(db, TimeProvider.System).RecordAsync("version: 1\nagents:\n  - id: bot\n", _path, "old");
        var before = await File.ReadAllTextAsync(_path);
        var bad = await CliRunner.RunAsync("config", "rollback", ConfigLoader.Hash("version: 1\nagents:\n  - id: bot\n")[..10], "--config", _path);
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains(bad.ErrLines, l => l.EndsWith("does not pass today's validation; not restored", StringComparison.Ordinal));
        Assert.Equal(before, await File.ReadAllTextAsync(_path));
    }

    [Fact]
    public async Task Show_json_redacts_canaries_and_keeps_secrets_as_references()
    {
        var r = await CliRunner.RunAsync("config", "show", "--json", "--config", _path);
        Assert.Equal(0, r.ExitCode);
        Assert.DoesNotContain("CANARY-7f3a9", r.Out, StringComparison.Ordinal);
        var json = JsonDocument.Parse(r.Out).RootElement;
        Assert.Equal("OPENAI_API_KEY", json.GetProperty("providers")[0].GetProperty("apiKey").GetProperty("env").GetString());
        Assert.Equal("[redacted]", json.GetProperty("tenants")[0].GetProperty("canaries")[0].GetString());
        Assert.Equal(8080, new Uri(json.GetProperty("server").GetProperty("listen").GetString()!).Port);
    }

    [Fact]
    public async Task Init_writes_a_valid_starter_and_refuses_to_overwrite_without_force()
    {
        var dir = Path.Combine(_dir, "fresh");
        var first = await CliRunner.RunAsync("init", dir);
        Assert.Equal(0, first.ExitCode);
        Assert.True(File.Exists(Path.Combine(dir, "data", "acme", "handbook.md")));
        Assert.Equal(0, (await CliRunner.RunAsync("config", "validate", Path.Combine(dir, "attest.yaml"))).ExitCode);
        await File.WriteAllTextAsync(Path.Combine(dir, "attest.yaml"), "# mine\nversion: 1\n");
        var second = await CliRunner.RunAsync("init", dir);
        Assert.Equal(1, second.ExitCode);
        Assert.Equal("# mine\nversion: 1\n", await File.ReadAllTextAsync(Path.Combine(dir, "attest.yaml")));
        Assert.Equal(0, (await CliRunner.RunAsync("init", dir, "--force")).ExitCode);
        Assert.Contains("version: 1", await File.ReadAllTextAsync(Path.Combine(dir, "attest.yaml")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Schema_verb_prints_the_generated_schema()
    {
        var r = await CliRunner.RunAsync("config", "schema");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal(ConfigSchema.Generate(), r.Out);
        Assert.Equal(await File.ReadAllTextAsync(Path.Combine(CliRunner.RepoRoot, "docs", "attest.schema.json")), r.Out);
    }
}
