using System.Reflection;
using System.Text.Json;

namespace Attest.Cli.Tests;

/// <summary>Runs the real <c>attest</c> entry point in-process with captured console output.</summary>
[Collection(CliRunner.Collection)]
public class KeysCommandsTests
{
    private static string WriteConfig()
    {
        var dir = Path.Combine(Path.GetTempPath(), "attest-tests", Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, "attest.yaml");
        File.WriteAllText(path, """
            server: { dataDir: .attest }
            tenants: [ { id: acme } ]
            providers: [ { id: local, type: offline, subprocessor: built in, dataLocation: in-process } ]
            models: [ { alias: chat-default, targets: [ { provider: local, model: offline-echo-2026-01 } ] } ]
            """);
        return path;
    }

    [Fact]
    public async Task Create_list_rotate_revoke_round_trip()
    {
        var config = WriteConfig();
        var (code, output, _) = await CliRunner.RunAsync("keys", "create", "--config", config, "--tenant", "acme",
            "--models", "chat-default", "--scopes", "chat,tools", "--expires", "30d", "--rpm", "5", "--tpm", "100", "--json");
        Assert.Equal(0, code);
        var created = JsonDocument.Parse(output).RootElement;
        var key = created.GetProperty("key").GetString()!;
        var id = created.GetProperty("id").GetString()!;
        Assert.StartsWith("atk_", key);
        Assert.Equal(5, created.GetProperty("rpm").GetInt32());

        (code, output, _) = await CliRunner.RunAsync("keys", "list", "--config", config, "--json");
        Assert.Equal(0, code);
        var list = JsonDocument.Parse(output).RootElement;
        Assert.Equal(id, list[0].GetProperty("id").GetString());
        Assert.DoesNotContain(key, output, StringComparison.Ordinal);
        foreach (var f in Directory.GetFiles(Path.Combine(Path.GetDirectoryName(config)!, ".attest")))
            Assert.DoesNotContain(key, File.ReadAllText(f, System.Text.Encoding.Latin1), StringComparison.Ordinal);

        (code, output, _) = await CliRunner.RunAsync("keys", "rotate", id, "--config", config, "--overlap", "1h");
        Assert.Equal(0, code);
        Assert.Contains($"Rotated key {id}", output, StringComparison.Ordinal);

        (code, output, _) = await CliRunner.RunAsync("keys", "revoke", id, "--config", config);
        Assert.Equal(0, code);
        (code, output, _) = await CliRunner.RunAsync("keys", "list", "--config", config);
        Assert.Equal(0, code);
        Assert.Contains("revoked", output, StringComparison.Ordinal);
        Assert.Contains("active", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_input_fails_with_one_clear_line_and_a_non_zero_exit()
    {
        var config = WriteConfig();
        var (code, _, error) = await CliRunner.RunAsync("keys", "create", "--config", config, "--tenant", "nope");
        Assert.Equal(2, code);
        Assert.Contains("tenant 'nope' is not declared", error, StringComparison.Ordinal);
        (code, _, error) = await CliRunner.RunAsync("keys", "create", "--config", config, "--tenant", "acme", "--expires", "soon");
        Assert.Equal(2, code);
        Assert.Contains("--expires", error, StringComparison.Ordinal);
        (code, _, error) = await CliRunner.RunAsync("keys", "revoke", "key_missing", "--config", config);
        Assert.Equal(1, code);
        Assert.Contains("no key with id 'key_missing'", error, StringComparison.Ordinal);
        (code, _, _) = await CliRunner.RunAsync("keys", "create", "--config", config);
        Assert.Equal(2, code);
    }
}

[CollectionDefinition(CliRunner.Collection, DisableParallelization = true)]
public sealed class CliConsoleCollection;

public static class CliRunner
{
    public const string Collection = "attest-cli-console";
    private static readonly SemaphoreSlim Gate = new(1, 1);

    public static async Task<(int Code, string Out, string Err)> RunAsync(params string[] args)
    {
        await Gate.WaitAsync();
        var (oldOut, oldErr) = (Console.Out, Console.Error);
        using var o = new StringWriter();
        using var e = new StringWriter();
        try
        {
            Console.SetOut(o);
            Console.SetError(e);
            var entry = Assembly.Load("attest").EntryPoint!;
            var result = await Task.Run(() => entry.Invoke(null, [args]));
            var code = result switch { int i => i, Task<int> t => await t, _ => throw new InvalidOperationException("unexpected entry point") };
            return (code, o.ToString(), e.ToString());
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldErr);
            Gate.Release();
        }
    }
}
