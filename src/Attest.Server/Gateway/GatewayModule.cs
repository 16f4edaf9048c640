using System.Net;
using Attest.Server.Gateway.Stages;
using Attest.Server.Hosting;
using Attest.Server.Providers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Attest.Server.Gateway;

/// <summary>The OpenAI-compatible gateway: <c>/v1/chat/completions</c>, <c>/v1/embeddings</c>, <c>/v1/models</c>, <c>/admin/providers</c>.</summary>
internal sealed class GatewayModule : IAttestModule
{
    public int Order => 0;

    public void ConfigureServices(IServiceCollection services, AttestHostContext context)
    {
        services.AddHttpClient(UpstreamHttp.ClientName, c => c.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
                MaxConnectionsPerServer = 1024,
                AutomaticDecompression = DecompressionMethods.All,
                ConnectTimeout = TimeSpan.FromSeconds(10),
                UseCookies = false,
            })
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan)
            .RemoveAllLoggers();
        services.TryAddSingleton(new GatewayOptions());
        services.TryAddSingleton<TargetHealthRegistry>();
        services.AddSingleton<IModelProvider, OpenAiProvider>();
        services.AddSingleton<IModelProvider, AnthropicProvider>();
        services.AddSingleton<IModelProvider, OfflineProvider>();
        services.AddSingleton<ModelDispatcher>();
        services.AddSingleton<OnBehalfOfValidator>();
        services.AddSingleton<IdentityResolver>();
        services.AddSingleton<ChatAuditor>();
        services.AddSingleton<IChatStage, AuditStage>();
        services.AddSingleton<IChatStage, ModelStage>();
        services.AddSingleton<IChatStage, LimitsStage>();
        services.AddSingleton<IChatStage, RetrievalStage>();
        services.AddSingleton<IChatStage, GuardStage>();
        services.AddSingleton<IChatStage, ToolPolicyStage>();
        services.AddSingleton<ChatPipeline>();
        services.AddSingleton<ChatEndpoint>();
        services.AddSingleton<EmbeddingsEndpoint>();
        services.AddSingleton<ModelsEndpoints>();
    }

    public void MapEndpoints(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/v1/chat/completions", (HttpContext http, ChatEndpoint e, ILogger<GatewayModule> log) => Safe(http, log, e.HandleAsync));
        endpoints.MapPost("/v1/embeddings", (HttpContext http, EmbeddingsEndpoint e, ILogger<GatewayModule> log) => Safe(http, log, e.HandleAsync));
        endpoints.MapGet("/v1/models", (HttpContext http, ModelsEndpoints e, ILogger<GatewayModule> log) => Safe(http, log, e.ListModelsAsync));
        endpoints.MapGet("/admin/providers", (HttpContext http, ModelsEndpoints e, ILogger<GatewayModule> log) => Safe(http, log, e.ProvidersAsync));
    }

    /// <summary>Last line of defence: an unexpected fault becomes an OpenAI-shaped 500 without a stack trace; only its type is logged.</summary>
    private static async Task Safe(HttpContext http, ILogger log, Func<HttpContext, Task> handler)
    {
        try
        {
            await handler(http);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // The client went away.
        }
        catch (Exception e)
        {
            GatewayLog.Unhandled(log, e.GetType().Name, http.Request.Path);
            await GatewayErrors.Internal().WriteAsync(http);
        }
    }
}

internal static partial class GatewayLog
{
    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled {ExceptionType} on {Path}; answered internal_error")]
    public static partial void Unhandled(ILogger logger, string exceptionType, string path);
}
