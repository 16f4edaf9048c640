using System.Text.Json.Nodes;
using Attest.Core.Config;
using Attest.Server.Providers;
using Microsoft.AspNetCore.Http;

namespace Attest.Server.Gateway;

/// <summary><c>GET /v1/models</c> (aliases this key may use) and <c>GET /admin/providers</c> (per-target health; <c>admin</c> scope).</summary>
internal sealed class ModelsEndpoints(IdentityResolver identity, IPolicySource policy, TargetHealthRegistry health)
{
    public async Task ListModelsAsync(HttpContext http)
    {
        var (feature, error) = await identity.AuthenticateAsync(http, scope: null);
        if (error is not null) { await error.WriteAsync(http); return; }
        var data = new JsonArray();
        foreach (var model in policy.Current.Config.Models)
        {
            if (!ModelAccess.MayUse(feature!.Key, model.Alias)) continue;
            data.Add(new JsonObject
            {
                ["id"] = model.Alias,
                ["object"] = "model",
                ["created"] = 0,
                ["owned_by"] = "attest",
                ["kind"] = model.Kind,
            });
        }
        await ResponseWriter.JsonAsync(http, new JsonObject { ["object"] = "list", ["data"] = data });
    }

    public async Task ProvidersAsync(HttpContext http)
    {
        var (_, error) = await identity.AuthenticateAsync(http, "admin");
        if (error is not null) { await error.WriteAsync(http); return; }
        var snapshot = policy.Current;
        var providers = new JsonArray();
        foreach (var provider in snapshot.Config.Providers)
        {
            var targets = new JsonArray();
            foreach (var model in snapshot.Config.Models)
            {
                for (var i = 0; i < model.Targets.Count; i++)
                {
                    var t = model.Targets[i];
                    if (t.Provider != provider.Id) continue;
                    var v = health.For(provider.Id, t.Model).Snapshot();
                    targets.Add(new JsonObject
                    {
                        ["alias"] = model.Alias, ["model"] = t.Model, ["position"] = i + 1, ["circuit"] = v.Circuit, ["available"] = v.Available,
                        ["requests"] = v.Requests, ["failures"] = v.Failures, ["consecutive_failures"] = v.ConsecutiveFailures,
                        ["latency_p50_ms"] = v.LatencyP50Ms, ["latency_p99_ms"] = v.LatencyP99Ms, ["last_error"] = v.LastError,
                    });
                }
            }
            providers.Add(new JsonObject
            {
                ["id"] = provider.Id, ["type"] = provider.Type, ["base_url"] = provider.BaseUrl, ["timeout_seconds"] = provider.TimeoutSeconds,
                ["credential"] = provider.ApiKey is null ? "none" : snapshot.ResolveSecret(provider.ApiKey) is { Length: > 0 } ? "resolved" : "unavailable",
                ["targets"] = targets,
            });
        }
        await ResponseWriter.JsonAsync(http, new JsonObject { ["object"] = "list", ["providers"] = providers });
    }
}
