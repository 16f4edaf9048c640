using Attest.Core.Audit;
using Attest.Server.Gateway;
using Attest.Server.Hosting;
using Attest.Storage.Keys;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Attest.Server.Keys;

/// <summary>Virtual keys: the store, the pepper, <see cref="IKeyAuthenticator"/>, <see cref="KeyManager"/> and the admin API.</summary>
public sealed class KeysModule : IAttestModule
{
    public int Order => 10;

    public void ConfigureServices(IServiceCollection services, AttestHostContext context)
    {
        services.TryAddSingleton(_ => KeyPepper.Load(context.DataDirectory));
        services.TryAddSingleton(sp => new KeyStore(context.Database));
        services.TryAddSingleton<ConfigKeys>();
        services.TryAddSingleton<KeyDirectory>();
        services.TryAddSingleton<KeyAuthenticator>();
        services.TryAddSingleton<IKeyAuthenticator>(sp => sp.GetRequiredService<KeyAuthenticator>());
        // The audit engineer registers the durable IAuditLog; without it key events go nowhere (NullAuditLog).
        services.TryAddSingleton(sp => new KeyManager(
            sp.GetRequiredService<KeyStore>(), sp.GetRequiredService<KeyPepper>(), context.Policy,
            sp.GetRequiredService<TimeProvider>(), sp.GetService<IAuditLog>() ?? NullAuditLog.Instance));
    }

    public void MapEndpoints(IEndpointRouteBuilder endpoints) => KeysAdminEndpoints.Map(endpoints);
}
