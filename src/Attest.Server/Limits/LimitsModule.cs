using Attest.Server.Gateway;
using Attest.Server.Hosting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Attest.Server.Limits;

/// <summary>
/// Limits and budgets: <see cref="IUsageLimiter"/> over Redis when <c>server.redis</c> (or
/// <c>ATTEST_REDIS</c>) names one, else over in-process counters.
/// </summary>
public sealed class LimitsModule : IAttestModule
{
    /// <summary>Environment variable that names the Redis endpoint when <c>server.redis</c> is not set.</summary>
    public const string RedisEnvironmentVariable = "ATTEST_REDIS";

    public int Order => 20;

    public void ConfigureServices(IServiceCollection services, AttestHostContext context)
    {
        var redis = RedisEndpoint(context.Policy.Current.Config.Server.Redis);
        if (redis is not null)
            services.TryAddSingleton<ICounterStore>(_ => new RedisCounterStore(new RedisClient(redis)));
        else
            services.TryAddSingleton<ICounterStore>(sp => new InMemoryCounterStore(sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<UsageLimiter>();
        services.TryAddSingleton<IUsageLimiter>(sp => sp.GetRequiredService<UsageLimiter>());
    }

    public void MapEndpoints(IEndpointRouteBuilder endpoints) { }

    public static string? RedisEndpoint(string? configured) =>
        configured is { Length: > 0 } c ? c : Environment.GetEnvironmentVariable(RedisEnvironmentVariable) is { Length: > 0 } e ? e : null;
}
