namespace Attest.Cli.Demo;

/// <summary>The server answers its health and readiness probes.</summary>
internal sealed class HealthDemoStep : IDemoStep
{
    public int Order => 0;
    public string Title => "Server health and readiness";
    public string Controls => "A1.1";

    public async Task<bool> RunAsync(DemoContext context, CancellationToken cancellationToken)
    {
        using var health = await context.Http.GetAsync("healthz", cancellationToken);
        using var ready = await context.Http.GetAsync("readyz", cancellationToken);
        context.Say($"GET /healthz -> {(int)health.StatusCode}; GET /readyz -> {(int)ready.StatusCode} (storage reachable, config valid)");
        return health.IsSuccessStatusCode && ready.IsSuccessStatusCode;
    }
}
