using Attest.Audit.Log;
using Attest.Core.Audit;
using Attest.Server.Hosting;
using Attest.Storage.Audit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Attest.Server.Audit;

/// <summary>
/// Registers the one audit log (<see cref="IAuditLog"/>, <see cref="IAuditReader"/>), the checkpoint
/// timer, and the read-only audit API: latest checkpoint, inclusion and consistency proofs, public keys.
/// </summary>
internal sealed class AuditModule : IAttestModule
{
    public int Order => 10;

    public void ConfigureServices(IServiceCollection services, AttestHostContext context)
    {
        services.AddSingleton(sp => AuditLogFactory.Create(context.Policy.Current, context.Database, context.Time, sp.GetService<ILogger<AuditLog>>()));
        services.AddSingleton<IAuditLog>(sp => sp.GetRequiredService<AuditLog>());
        services.AddSingleton<IAuditStore>(sp => sp.GetRequiredService<AuditLog>().Store);
        services.AddSingleton<IAuditReader>(sp => new StoreAuditReader(sp.GetRequiredService<IAuditStore>()));
        services.AddSingleton(sp => new AuditProofService(sp.GetRequiredService<IAuditStore>()));
        services.AddHostedService(sp => new AuditCheckpointTimer(sp.GetRequiredService<AuditLog>(), context.Policy, context.Time, sp.GetRequiredService<ILogger<AuditCheckpointTimer>>()));
    }

    public void MapEndpoints(IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/v1/audit").AddEndpointFilter(async (ctx, next) =>
        {
            // The gateway's identity stage checks the admin or audit scope; this API only insists a bearer key is presented.
            var auth = ctx.HttpContext.Request.Headers.Authorization.ToString();
            return auth.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && auth.Length > 7
                ? await next(ctx)
                : AuditEndpoints.Error(401, "authentication_error", "missing_api_key", "an Authorization: Bearer key is required", null);
        });
        group.MapGet("/checkpoints/latest", AuditEndpoints.LatestCheckpointAsync);
        group.MapGet("/proofs/inclusion", AuditEndpoints.InclusionAsync);
        group.MapGet("/proofs/consistency", AuditEndpoints.ConsistencyAsync);
        group.MapGet("/public-key", AuditEndpoints.PublicKeys);
    }
}
