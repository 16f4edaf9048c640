namespace Attest.Core.Config;

/// <summary>The listen address, provider base URLs and the break-glass webhook are absolute http(s) URLs.</summary>
public sealed class UrlsRule : IConfigValidator
{
    public void Validate(ConfigValidationContext context)
    {
        var c = context.Config;
        if (!IsHttpUrl(c.Server.Listen)) context.Error(c.Server, "listen", $"'server.listen' must be an http or https URL such as http://127.0.0.1:8080");
        foreach (var p in c.Providers)
        {
            if (p.BaseUrl is { Length: > 0 } url && !IsHttpUrl(url)) context.Error(p, "baseUrl", $"provider '{p.Id}': baseUrl must be an absolute http or https URL");
        }
        if (c.BreakGlass.Webhook is { Length: > 0 } hook && !IsHttpUrl(hook))
            context.Error(c.BreakGlass, "webhook", "'breakGlass.webhook' must be an absolute http or https URL");
    }

    public static bool IsHttpUrl(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var u) && (u.Scheme == Uri.UriSchemeHttp || u.Scheme == Uri.UriSchemeHttps);
}
