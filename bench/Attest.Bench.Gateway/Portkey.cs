using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;

/// <summary>
/// The Portkey AI gateway (npm <c>@portkey-ai/gateway</c>, pinned in <c>portkey/package-lock.json</c>) started with node
/// on a free loopback port, routed to the bench's fake upstream with its custom-host headers.
/// </summary>
internal sealed class Portkey : IAsyncDisposable
{
    private readonly Process _node;

    private Portkey(Process node, string url)
    {
        _node = node;
        Url = url;
    }

    public string Url { get; }
    public Process Process => _node;

    public static async Task<Portkey> StartAsync(string upstreamUrl)
    {
        var dir = Folder();
        var entry = Path.Combine(dir, "node_modules", "@portkey-ai", "gateway", "build", "start-server.js");
        if (!File.Exists(entry))
        {
            Console.WriteLine($"installing Portkey with npm ci in {dir} ...");
            await RunAsync("npm", ["ci", "--no-audit", "--no-fund", "--ignore-scripts"], dir);
        }
        var port = FreePort();
        var start = new ProcessStartInfo("node", [entry, $"--port={port}", "--headless"])
        {
            WorkingDirectory = dir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["NODE_ENV"] = "production";
        var node = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        node.OutputDataReceived += (_, _) => { };
        node.ErrorDataReceived += (_, _) => { };
        node.BeginOutputReadLine();
        node.BeginErrorReadLine();
        var url = $"http://127.0.0.1:{port}";
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, port);
                break;
            }
            catch (SocketException) when (deadline.Elapsed < TimeSpan.FromSeconds(30) && !node.HasExited)
            {
                await Task.Delay(100);
            }
        }
        return new Portkey(node, url);
    }

    /// <summary>The headers that route a Portkey request to an OpenAI-compatible upstream at <paramref name="upstreamUrl"/>.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Headers(string upstreamUrl) =>
    [
        new("x-portkey-provider", "openai"),
        new("x-portkey-custom-host", upstreamUrl + "/v1"),
        new("Authorization", "Bearer sk-bench-upstream"),
    ];

    private static string Folder([CallerFilePath] string source = "")
    {
        foreach (var candidate in new[] { Path.GetDirectoryName(source)!, Path.Combine(Environment.CurrentDirectory, "bench", "Attest.Bench.Gateway"), Environment.CurrentDirectory })
        {
            var dir = Path.Combine(candidate, "portkey");
            if (File.Exists(Path.Combine(dir, "package.json"))) return dir;
        }
        throw new DirectoryNotFoundException("bench/Attest.Bench.Gateway/portkey/package.json not found; run the bench from the repository root");
    }

    private static async Task RunAsync(string file, string[] args, string dir)
    {
        using var p = Process.Start(new ProcessStartInfo(file, args) { WorkingDirectory = dir, UseShellExecute = false })
            ?? throw new InvalidOperationException($"{file} did not start");
        await p.WaitForExitAsync();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited with {p.ExitCode}");
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_node.HasExited)
        {
            _node.Kill(entireProcessTree: true);
            await _node.WaitForExitAsync();
        }
        _node.Dispose();
    }
}
