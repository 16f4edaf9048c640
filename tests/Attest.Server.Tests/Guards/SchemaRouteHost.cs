using System.Text.Json.Nodes;
using Attest.Core.Config;
using Attest.Server.Hosting;
using Attest.Server.Tests.Gateway;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Attest.Server.Tests.Guards;

/// <summary>Shared parts of the structured-output tests: a fake OpenAI upstream, the gateway, SSE chunks, a keyed client.</summary>
internal static class SchemaRouteHost
{
    /// <summary>Starts a fake upstream on loopback answering <c>POST /{mode}/v1/chat/completions</c> with <paramref name="handler"/>.</summary>
    public static async Task<WebApplication> StartUpstreamAsync(Func<string, HttpContext, Task<IResult>> handler)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var upstream = builder.Build();
        upstream.MapPost("/{mode}/v1/chat/completions", handler);
        await upstream.StartAsync();
        return upstream;
    }

    /// <summary>Starts the gateway from <paramref name="yaml"/> with <paramref name="key"/> as the one (<c>chat</c>-scoped) virtual key and the audit log.</summary>
    public static async Task<WebApplication> StartGatewayAsync(string yaml, string dir, string key, Core.Audit.IAuditLog audit)
    {
        var keys = new TestKeys();
        keys.Add(key, scopes: ["chat"]);
        var app = await AttestHost.BuildAsync(new StaticPolicySource(ConfigLoader.FromText(yaml, dir)), new AttestHostOptions
        {
            Listen = "http://127.0.0.1:0",
            LogLevel = LogLevel.Warning,
            ConfigureServices = s =>
            {
                s.AddSingleton<Server.Gateway.IKeyAuthenticator>(keys);
                s.AddSingleton(audit);
            },
        });
        await app.StartAsync();
        return app;
    }

    /// <summary>One OpenAI <c>chat.completion.chunk</c> with a content delta and/or a finish reason.</summary>
    public static string Chunk(string? content, string? finish) => new JsonObject
    {
        ["id"] = "c1", ["object"] = "chat.completion.chunk", ["created"] = 1, ["model"] = "gpt-4o-2024-08-06",
        ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = content is null ? new JsonObject() : new JsonObject { ["content"] = content }, ["finish_reason"] = finish }),
    }.ToJsonString();

    /// <summary>A client for the gateway carrying the virtual key.</summary>
    public static HttpClient Client(WebApplication app, string key)
    {
        var http = new HttpClient { BaseAddress = new Uri(AttestHost.BoundAddress(app) + "/") };
        http.DefaultRequestHeaders.Authorization = new("Bearer", key);
        return http;
    }
}
