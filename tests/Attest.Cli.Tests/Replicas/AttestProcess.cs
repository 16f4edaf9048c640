using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Attest.Cli.Tests.Replicas;

/// <summary>
/// The built CLI (<c>attest.dll</c> in the test's output folder) run as a child process: one-shot verbs
/// (<see cref="RunAsync"/>) and <c>attest serve</c> replicas (<see cref="StartServeAsync"/>), which are killed on dispose.
/// </summary>
internal sealed class AttestProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private AttestProcess(Process process, Uri baseUrl)
    {
        _process = process;
        BaseUrl = baseUrl;
    }

    public Uri BaseUrl { get; }

    /// <summary>Last lines the replica wrote (for failure messages; logs never hold keys or prompts).</summary>
    public string Log { get { lock (_log) return _log.ToString(); } }

    private static ProcessStartInfo StartInfo(IReadOnlyDictionary<string, string> env, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "attest.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (k, v) in env) psi.Environment[k] = v;
        return psi;
    }

    /// <summary>Runs one CLI verb to completion (at most 60 s) and returns its exit code and output.</summary>
    public static async Task<(int Code, string Out, string Err)> RunAsync(IReadOnlyDictionary<string, string> env, params string[] args)
    {
        using var p = Process.Start(StartInfo(env, args))!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try { await p.WaitForExitAsync(timeout.Token); }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"attest {string.Join(' ', args)} did not finish in 60 s");
        }
        return (p.ExitCode, await stdout, await stderr);
    }

    /// <summary>Starts <c>attest serve</c> on a free loopback port and waits until <c>/readyz</c> answers 200.</summary>
    public static async Task<AttestProcess> StartServeAsync(string config, IReadOnlyDictionary<string, string> env)
    {
        var url = new Uri($"http://127.0.0.1:{FreePort()}/");
        var p = Process.Start(StartInfo(env, ["serve", "--config", config, "--listen", url.ToString().TrimEnd('/')]))!;
        var replica = new AttestProcess(p, url);
        p.OutputDataReceived += (_, e) => replica.Append(e.Data);
        p.ErrorDataReceived += (_, e) => replica.Append(e.Data);
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        using var http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(40))
        {
            if (p.HasExited)
            {
                await replica.DisposeAsync();
                throw new InvalidOperationException($"attest serve exited with {p.ExitCode}:\n{replica.Log}");
            }
            try
            {
                using var ready = await http.GetAsync(new Uri("readyz", UriKind.Relative));
                if (ready.StatusCode == HttpStatusCode.OK) return replica;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(150);
        }
        await replica.DisposeAsync();
        throw new TimeoutException($"attest serve on {url} was not ready in 40 s:\n{replica.Log}");
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_log)
        {
            if (_log.Length > 20_000) _log.Remove(0, 10_000);
            _log.AppendLine(line);
        }
    }

    public static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        catch (InvalidOperationException) { }
        _process.Dispose();
    }
}
