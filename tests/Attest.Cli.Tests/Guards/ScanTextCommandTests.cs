using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Attest.Cli.Tests.Guards;

public class ScanTextCommandTests
{
    private static async Task<(int Code, string Out, string Err)> RunAsync(string stdin, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "attest.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        await p.StandardInput.WriteAsync(stdin);
        p.StandardInput.Close();
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        return (p.ExitCode, await output, await error);
    }

    [Fact]
    public async Task StdinWithASecretExitsOneAndNamesLineAndColumn()
    {
        var (code, output, _) = await RunAsync("first line\nkey AKIAQ3EGRZ7PLM4KXW2D\n", "scan", "text", "-", "--direction", "output");
        Assert.Equal(1, code);
        Assert.Contains("-:2:5: secret.aws_access_key", output);
        Assert.DoesNotContain("AKIAQ3EGRZ7PLM4KXW2D", output);
    }

    [Fact]
    public async Task JsonlBatchWritesOneLinePerInputAndReportsBadLines()
    {
        var file = Path.GetTempFileName();
        await File.WriteAllLinesAsync(file, ["{\"text\":\"what is 2+2?\"}", "{\"text\":\"mail jane@example.com\"}", "{\"nope\":1}"]);
        try
        {
            var (code, output, error) = await RunAsync("", "scan", "text", "--jsonl", file);
            var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();
            Assert.Equal(2, lines.Count);
            Assert.Equal("allow", lines[0]["action"]!.GetValue<string>());
            Assert.Equal("redact", lines[1]["action"]!.GetValue<string>());
            Assert.Equal("pii.email", lines[1]["findings"]![0]!["type"]!.GetValue<string>());
            Assert.Contains(":3:1: missing \"text\" field", error);
            Assert.Equal(2, code);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task UnknownDirectionIsAUsageError()
    {
        var (code, _, error) = await RunAsync("", "scan", "text", "--direction", "sideways", "-");
        Assert.Equal(2, code);
        Assert.Contains("--direction", error);
    }
}
