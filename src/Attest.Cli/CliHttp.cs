using Microsoft.Extensions.DependencyInjection;

namespace Attest.Cli;

/// <summary>The CLI's one source of HTTP clients (pooled handlers; <c>new HttpClient()</c> is banned).</summary>
internal static class CliHttp
{
    private static readonly IHttpClientFactory Factory =
        new ServiceCollection().AddHttpClient().BuildServiceProvider().GetRequiredService<IHttpClientFactory>();

    public static HttpClient Create(string? baseAddress = null, TimeSpan? timeout = null)
    {
        var c = Factory.CreateClient("attest");
        if (baseAddress is not null) c.BaseAddress = new Uri(baseAddress.EndsWith('/') ? baseAddress : baseAddress + "/");
        c.Timeout = timeout ?? TimeSpan.FromSeconds(100);
        return c;
    }
}
