using System.Runtime.CompilerServices;
using Attest.Core.Config;
using Attest.Server.Providers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Attest.Server.Gateway.Stages;

/// <summary>
/// Reserves the request's estimated tokens and cost with the registered <see cref="IUsageLimiter"/>
/// before dispatch (429 with <c>Retry-After</c> and the limit's code when refused), reconciles with
/// actual usage after, and releases on failure. No limiter registered: no limits. A limiter that
/// throws denies the request (fail closed).
/// </summary>
internal sealed partial class LimitsStage(IServiceProvider services, GatewayOptions options, ILogger<LimitsStage> logger) : IChatStage
{
    private readonly IUsageLimiter? _limiter = services.GetService<IUsageLimiter>();

    public int Order => 200;

    public async ValueTask<ChatOutcome> InvokeAsync(ChatExchange x, ChatNext next, CancellationToken cancellationToken)
    {
        if (_limiter is null) return await next(x, cancellationToken);
        var prompt = 0;
        foreach (var m in x.Body["messages"]?.AsArray() ?? []) prompt += OfflineText.CountTokens(ChatText.Of(m?["content"])) + 3;
        var output = (x.Body["max_completion_tokens"] ?? x.Body["max_tokens"])?.GetValue<int>() ?? options.DefaultOutputTokenEstimate;
        var estimate = new UsageEstimate(x.Alias, prompt + output, Cost(x.Model!, prompt, output));
        var reservation = await ReserveAsync(_limiter, x, estimate, logger, cancellationToken);
        if (reservation.Error is { } denied) return ChatOutcome.Denied(denied);
        var r = reservation.Reservation!;
        ChatOutcome outcome;
        try
        {
            outcome = await next(x, cancellationToken);
        }
        catch
        {
            await r.ReleaseAsync(CancellationToken.None);
            await r.DisposeAsync();
            throw;
        }
        if (outcome.Stream is { } stream) return ChatOutcome.Streaming(Settle(x, stream, r, cancellationToken));
        await SettleAsync(x, r, outcome.Error is null);
        return outcome;
    }

    internal static async ValueTask<(IUsageReservation? Reservation, GatewayError? Error)> ReserveAsync(
        IUsageLimiter limiter, ChatExchange? x, UsageEstimate estimate, ILogger logger, CancellationToken cancellationToken, Core.Identity.RequestIdentity? identity = null)
    {
        try
        {
            var (reservation, denial) = await limiter.ReserveAsync(identity ?? x!.Identity, estimate, cancellationToken);
            if (denial is not null) return (null, GatewayErrors.LimitExceeded(denial));
            return reservation is null ? (null, GatewayErrors.PolicyUnavailable()) : (reservation, null);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Fail closed: limits that cannot be checked deny the request.
            LogLimiterFailed(logger, e.GetType().Name);
            return (null, GatewayErrors.PolicyUnavailable());
        }
    }

    internal static decimal Cost(ModelConfig model, long input, long output) =>
        (input * model.InputPricePer1K / 1000m) + (output * model.OutputPricePer1K / 1000m);

    private async IAsyncEnumerable<ChatStreamItem> Settle(ChatExchange x, IAsyncEnumerable<ChatStreamItem> stream, IUsageReservation r,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var ok = true;
        try
        {
            await foreach (var item in stream.WithCancellation(cancellationToken))
            {
                if (item.Error is not null) ok = false;
                yield return item;
            }
        }
        finally
        {
            await SettleAsync(x, r, ok || x.CompletionTokens > 0);
        }
    }

    private static async Task SettleAsync(ChatExchange x, IUsageReservation r, bool used)
    {
        await using (r)
        {
            if (used && x.Provider is not null)
                await r.ReconcileAsync(x.PromptTokens + x.CompletionTokens, Cost(x.Model!, x.PromptTokens, x.CompletionTokens), CancellationToken.None);
            else
                await r.ReleaseAsync(CancellationToken.None);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Usage limiter failed ({ExceptionType}); request denied")]
    private static partial void LogLimiterFailed(ILogger logger, string exceptionType);
}
