using Attest.Core.Config;
using Attest.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Attest.Server.Hosting;

/// <summary>Options for starting the server from code (CLI, tests, demo).</summary>
public sealed record AttestHostOptions
{
    /// <summary>Overrides <c>server.listen</c>; use <c>http://127.0.0.1:0</c> for a free port.</summary>
    public string? Listen { get; init; }
    public TimeProvider Time { get; init; } = TimeProvider.System;
    /// <summary>Minimum log level. Default Information.</summary>
    public LogLevel LogLevel { get; init; } = LogLevel.Information;
    /// <summary>Extra services (tests swap a clock or a provider).</summary>
    public Action<IServiceCollection>? ConfigureServices { get; init; }
}

/// <summary>Builds and runs the Attest server: Kestrel, storage, discovered modules, health probes.</summary>
public static class AttestHost
{
    public static IReadOnlyList<IAttestModule> Modules { get; } =
        [.. typeof(AttestHost).Assembly.GetTypes()
            .Where(t => t is { IsAbstract: false, IsInterface: false } && typeof(IAttestModule).IsAssignableFrom(t))
            .Select(t => (IAttestModule)Activator.CreateInstance(t)!)
            .OrderBy(m => m.Order).ThenBy(m => m.GetType().FullName, StringComparer.Ordinal)];

    public static async Task<WebApplication> BuildAsync(IPolicySource policy, AttestHostOptions options, CancellationToken cancellationToken = default)
    {
        var snapshot = policy.Current;
        var db = await StorageFactory.CreateAndMigrateAsync(snapshot, cancellationToken);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = "Attest" });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; });
        builder.Logging.SetMinimumLevel(options.LogLevel);
        // No per-request framework logging: at Information ASP.NET Core writes four lines per request, and with
        // its hosting logger enabled at all it also starts an Activity and a logging scope for every request.
        // Attest's own events (refusals, failures) and the audit log are the per-request record.
        builder.Logging.AddFilter("Microsoft.AspNetCore", options.LogLevel > LogLevel.Warning ? options.LogLevel : LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
        builder.WebHost.UseUrls(options.Listen ?? snapshot.Config.Server.Listen);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = snapshot.Config.Server.MaxRequestBodyBytes;
        });
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(Math.Max(1, snapshot.Config.Server.ShutdownDrainSeconds)));
        var context = new AttestHostContext(policy, db, options.Time, StorageFactory.DataDirectory(snapshot));
        builder.Services.AddSingleton(context);
        builder.Services.AddSingleton(policy);
        builder.Services.AddSingleton(db);
        builder.Services.AddSingleton(options.Time);
        foreach (var m in Modules) m.ConfigureServices(builder.Services, context);
        options.ConfigureServices?.Invoke(builder.Services);

        var app = builder.Build();
        app.MapGet("/healthz", () => Results.Json(new { status = "ok" }));
        app.MapGet("/readyz", async (AttestDatabase database, IPolicySource source, CancellationToken ct) =>
        {
            var storage = await database.PingAsync(ct);
            var ready = storage && source.Current is not null;
            return Results.Json(new { status = ready ? "ready" : "not_ready", storage = storage ? "ok" : "unreachable", config = source.Current?.ContentHash },
                statusCode: ready ? 200 : 503);
        });
        foreach (var m in Modules) m.MapEndpoints(app);
        app.Lifetime.ApplicationStopped.Register(() => db.DisposeAsync().AsTask().GetAwaiter().GetResult());
        return app;
    }

    /// <summary>The first address Kestrel bound (after start), e.g. <c>http://127.0.0.1:51234</c>.</summary>
    public static string BoundAddress(WebApplication app) =>
        app.Urls.FirstOrDefault() ?? throw new InvalidOperationException("server has not started");
}
