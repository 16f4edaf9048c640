using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Attest.Server.Hosting;

/// <summary>
/// A capability's part of the server: its services and its endpoints. Every non-abstract
/// implementation in this assembly is discovered and applied by <see cref="AttestHost"/>, in
/// <see cref="Order"/>, so a capability plugs in without editing the host.
/// </summary>
public interface IAttestModule
{
    /// <summary>Lower runs first. The gateway's identity stage is 0; capabilities use 100+.</summary>
    int Order => 100;
    void ConfigureServices(IServiceCollection services, AttestHostContext context);
    void MapEndpoints(IEndpointRouteBuilder endpoints);
}
