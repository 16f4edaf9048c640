using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Attest.Cli.Tests.Replicas;

/// <summary>A tiny Kestrel HTTP tool on loopback: <c>POST /echo</c> answers <c>{"echo": body}</c> and counts calls.</summary>
internal sealed class EchoToolServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _calls;

    private EchoToolServer(WebApplication app) => _app = app;

    public Uri Url { get; private set; } = null!;

    public int Calls => Volatile.Read(ref _calls);

    public static async Task<EchoToolServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var server = new EchoToolServer(app);
        app.MapPost("/echo", async (HttpContext http) =>
        {
            Interlocked.Increment(ref server._calls);
            using var reader = new StreamReader(http.Request.Body);
            var body = await reader.ReadToEndAsync(http.RequestAborted);
            http.Response.ContentType = "application/json";
            await http.Response.WriteAsync("{\"echo\":" + body + "}", http.RequestAborted);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        server.Url = new Uri(address.TrimEnd('/') + "/echo");
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
