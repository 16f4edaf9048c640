using System.Text.Json.Nodes;
using Attest.Core.Audit;
using Attest.Core.Config;
using Attest.Core.Guards;
using Attest.Server.Gateway.Stages;
using Attest.Server.Providers;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Attest.Server.Gateway;

/// <summary>
/// <c>POST /v1/embeddings</c>: the same identity, model access, input guards, limits and fail-closed
/// audit (<c>embeddings.request</c>) as chat, then dispatch with fallback.
/// </summary>
internal sealed partial class EmbeddingsEndpoint(IdentityResolver identity, ModelDispatcher dispatcher, ChatAuditor auditor, IPolicySource policy,
    IServiceProvider services, TimeProvider time, ILogger<EmbeddingsEndpoint> logger)
{
    private readonly IGuardPipeline? _guards = services.GetService<IGuardPipeline>();
    private readonly IUsageLimiter? _limiter = services.GetService<IUsageLimiter>();

    public async Task HandleAsync(HttpContext http)
    {
        var started = time.GetTimestamp();
        var snapshot = policy.Current;
        var (feature, authError) = await identity.AuthenticateAsync(http, "embeddings");
        if (feature is null) { await authError!.WriteAsync(http); return; }
        if (authError is not null) { await DenyAsync(http, feature, authError, ""); return; }
        var (body, bodyError) = await RequestBody.ReadAsync(http, snapshot.Config.Server.MaxRequestBodyBytes);
        if (bodyError is not null) { await DenyAsync(http, feature, bodyError, ""); return; }
        var alias = body!["model"] is JsonValue mv && mv.TryGetValue<string>(out var m) ? m : "";
        var problem = await identity.ResolveEndUserAsync(http, feature, body) ?? Validate(body);
        ModelConfig? model = null;
        if (problem is null) (model, problem) = ModelAccess.Resolve(snapshot, feature.Key, alias, "embedding");
        if (problem is null) problem = await GuardInputsAsync(body, feature);
        if (problem is not null) { await DenyAsync(http, feature, problem, alias); return; }

        var inputs = Inputs(body);
        var tokens = inputs.Sum(i => OfflineText.CountTokens(i));
        IUsageReservation? reservation = null;
        if (_limiter is not null)
        {
            (reservation, problem) = await LimitsStage.ReserveAsync(_limiter, null, new UsageEstimate(alias, tokens, LimitsStage.Cost(model!, tokens, 0)),
                logger, http.RequestAborted, feature.Identity);
            if (problem is not null) { await DenyAsync(http, feature, problem, alias); return; }
        }
        body.Remove("attest");
        var (done, error) = await dispatcher.EmbedAsync(snapshot, model!, body, http.RequestAborted);
        var used = done?.Value["usage"]?["prompt_tokens"]?.GetValue<int>() ?? tokens;
        if (reservation is not null)
        {
            await using (reservation)
            {
                if (done is null) await reservation.ReleaseAsync(CancellationToken.None);
                else await reservation.ReconcileAsync(used, LimitsStage.Cost(model!, used, 0), CancellationToken.None);
            }
        }
        if (error is not null) { await DenyAsync(http, feature, error, alias); return; }
        try
        {
            await auditor.AppendAsync(ChatAuditor.Base(AuditEventTypes.EmbeddingsRequest, feature.Identity, "prompts") with
            {
                Model = new AuditModel(alias, done!.Model, done.Provider),
                Decision = "allow",
                InputTokens = used,
                LatencyMs = Math.Round(time.GetElapsedTime(started).TotalMilliseconds, 3),
                Digests = new Dictionary<string, string> { ["input"] = ChatAuditor.Digest(string.Join('\n', inputs)) },
                Attributes = new Dictionary<string, string> { ["inputs"] = inputs.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), ["request_id"] = feature.Identity.RequestId ?? "" },
            }, http.RequestAborted);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogAuditFailed(e.GetType().Name);
            await GatewayErrors.AuditUnavailable().WriteAsync(http);
            return;
        }
        ResponseWriter.Disclose(http, done.Provider, done.Model);
        await ResponseWriter.JsonAsync(http, done.Value);
    }

    private static GatewayError? Validate(JsonObject body)
    {
        if (body["model"] is null) return GatewayErrors.MissingParameter("model");
        if (body["model"] is not JsonValue mv || !mv.TryGetValue<string>(out var m) || m.Length == 0)
            return GatewayErrors.InvalidParameter("model", "'model' must be a non-empty string.");
        if (body["input"] is null) return GatewayErrors.MissingParameter("input");
        var ok = body["input"] switch
        {
            JsonValue v => v.TryGetValue<string>(out _),
            JsonArray a => a.Count > 0 && a.All(x => x is JsonValue xv && xv.TryGetValue<string>(out _)),
            _ => false,
        };
        return ok ? null : GatewayErrors.InvalidParameter("input", "'input' must be a string or a non-empty array of strings.");
    }

    private static List<string> Inputs(JsonObject body) => body["input"] is JsonArray a
        ? [.. a.Select(x => x!.GetValue<string>())]
        : [body["input"]!.GetValue<string>()];

    private async Task<GatewayError?> GuardInputsAsync(JsonObject body, GatewayRequestFeature feature)
    {
        if (_guards is null) return null;
        var context = new GuardContext { Direction = GuardDirection.Input, Identity = feature.Identity, ConversationId = feature.Identity.RequestId };
        var inputs = Inputs(body);
        var result = new JsonArray();
        foreach (var input in inputs)
        {
            var verdict = await _guards.EvaluateAsync(input, context);
            if (verdict.Action == GuardAction.Block) return GatewayErrors.GuardBlocked(true, verdict.Faulted ? ["guard_fault", .. verdict.Reasons] : verdict.Reasons);
            result.Add(verdict.Action == GuardAction.Redact ? verdict.Text : input);
        }
        body["input"] = body["input"] is JsonArray ? result : result[0]!.DeepClone();
        return null;
    }

    private async Task DenyAsync(HttpContext http, GatewayRequestFeature feature, GatewayError error, string alias)
    {
        try
        {
            await auditor.DeniedAsync(feature.Identity, null, error, alias, http.RequestAborted);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogAuditFailed(e.GetType().Name);
            error = GatewayErrors.AuditUnavailable();
        }
        await error.WriteAsync(http);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Audit append failed for an embeddings request ({ExceptionType}); request denied")]
    private partial void LogAuditFailed(string exceptionType);
}
