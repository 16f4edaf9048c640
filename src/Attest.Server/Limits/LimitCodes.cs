using Attest.Core.Config;

namespace Attest.Server.Limits;

/// <summary>Stable codes of limit denials and the HTTP status each maps to.</summary>
public static class LimitCodes
{
    /// <summary>The shared counter store (Redis) is unreachable: the request is denied (fail closed).</summary>
    public const string Unavailable = "limits_unavailable";

    /// <summary>429 for a limit or budget; 503 for <see cref="Unavailable"/>.</summary>
    public static int StatusCode(string code) => code == Unavailable ? 503 : 429;

    /// <summary>Retry-After header value in whole seconds (at least 1).</summary>
    public static string RetryAfterSeconds(TimeSpan retryAfter) =>
        Math.Max(1, (long)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>Prices a request from <c>models[].inputPricePer1K</c> / <c>outputPricePer1K</c>.</summary>
public static class UsagePricing
{
    public static decimal Cost(ModelConfig? model, long inputTokens, long outputTokens) =>
        model is null ? 0m : (inputTokens * model.InputPricePer1K + outputTokens * model.OutputPricePer1K) / 1000m;
}
