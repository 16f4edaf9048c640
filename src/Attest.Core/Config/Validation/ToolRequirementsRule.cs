namespace Attest.Core.Config;

/// <summary>An <c>http</c> tool has an absolute http(s) URL; an <c>mcp</c> tool names its server (command or URL) and its tool there.</summary>
public sealed class ToolRequirementsRule : IConfigValidator
{
    public void Validate(ConfigValidationContext context)
    {
        foreach (var t in context.Config.Tools)
        {
            switch (t.Kind)
            {
                case "http" when string.IsNullOrWhiteSpace(t.Url):
                    context.Error(t, null, $"http tool '{t.Id}' has no url");
                    break;
                case "http" when !UrlsRule.IsHttpUrl(t.Url!):
                    context.Error(t, "url", $"http tool '{t.Id}': url must be an absolute http or https URL");
                    break;
                case "mcp" when t.Mcp is null:
                    context.Error(t, null, $"mcp tool '{t.Id}' has no 'mcp' section (command or url, and tool)");
                    break;
                case "mcp":
                    if (string.IsNullOrWhiteSpace(t.Mcp!.Command) == string.IsNullOrWhiteSpace(t.Mcp.Url))
                        context.Error(t, "mcp", $"mcp tool '{t.Id}' must set exactly one of mcp.command (stdio) or mcp.url (HTTP)");
                    if (string.IsNullOrWhiteSpace(t.Mcp.Tool))
                        context.Error(t, "mcp", $"mcp tool '{t.Id}' has no mcp.tool (the tool's name on the server)");
                    break;
            }
        }
    }
}
