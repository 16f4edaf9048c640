using Attest.Core.Config;
using Microsoft.AspNetCore.Builder;

namespace Attest.Cli.Demo;

/// <summary>What demo steps share: the running server, its config, an HTTP client, and values earlier steps left for later ones.</summary>
internal sealed class DemoContext
{
    public required string WorkDirectory { get; init; }
    public required string ConfigPath { get; init; }
    public required string BaseUrl { get; init; }
    public required HttpClient Http { get; init; }
    public required WebApplication Server { get; init; }
    public required IPolicySource Policy { get; init; }
    /// <summary>Values steps hand on (e.g. a key created by one step and used by another).</summary>
    public Dictionary<string, string> State { get; } = new(StringComparer.Ordinal);
    /// <summary>Typed values steps hand on (e.g. the RBAC scan's findings for the evidence step).</summary>
    public Dictionary<string, object> Items { get; } = new(StringComparer.Ordinal);

    public void Say(string line) => Console.WriteLine($"    {line}");
}
