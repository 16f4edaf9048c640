using Attest.Server.Hosting;
using Attest.Storage.Config;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Attest.Server.Config;

/// <summary>Config versions: records the version the server starts with and every accepted reload, and audits applied and rejected versions.</summary>
internal sealed class ConfigModule : IAttestModule
{
    public int Order => 10;

    public void ConfigureServices(IServiceCollection services, AttestHostContext context)
    {
        services.AddSingleton(new ConfigVersionStore(context.Database, context.Time));
        services.AddHostedService<ConfigVersionRecorder>();
    }

    public void MapEndpoints(IEndpointRouteBuilder endpoints)
    {
    }
}
