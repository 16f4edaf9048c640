using System.CommandLine;

namespace Attest.Cli.Commands;

/// <summary>A subcommand of <c>attest scan</c> (text, k8s, …). Implementations in this assembly are discovered.</summary>
internal interface IScanSubcommand
{
    Command Create();
}

/// <summary><c>attest scan</c>: deterministic scanners.</summary>
internal sealed class ScanCommands : ICliModule
{
    public IEnumerable<Command> Commands()
    {
        var scan = new Command("scan", "Scan text for PII, secrets and injection, or Kubernetes RBAC for excess privilege");
        foreach (var t in typeof(IScanSubcommand).Assembly.GetTypes()
                     .Where(t => t is { IsAbstract: false, IsInterface: false } && typeof(IScanSubcommand).IsAssignableFrom(t))
                     .OrderBy(t => t.Name, StringComparer.Ordinal))
            scan.Subcommands.Add(((IScanSubcommand)Activator.CreateInstance(t)!).Create());
        return scan.Subcommands.Count == 0 ? [] : [scan];
    }
}
