using Microsoft.AspNetCore.Http;

namespace Attest.Server.Keys;

/// <summary>Errors in OpenAI's shape: <c>{"error":{"message","type","code","param"}}</c>.</summary>
internal static class AdminErrors
{
    public static IResult Error(int status, string code, string message, string? param = null) =>
        Results.Json(new { error = new { message, type = TypeFor(status), code, param } }, statusCode: status);

    private static string TypeFor(int status) => status switch
    {
        401 => "authentication_error",
        403 => "permission_error",
        404 => "not_found_error",
        429 => "rate_limit_error",
        >= 500 => "server_error",
        _ => "invalid_request_error",
    };
}
