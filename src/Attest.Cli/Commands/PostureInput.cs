using Attest.Core.Config;
using Attest.Evidence.Model;
using Attest.Scanning;
using Attest.Scanning.Model;

namespace Attest.Cli.Commands;

/// <summary>Runs the Kubernetes RBAC scan for the evidence report's CC6 posture test.</summary>
internal static class PostureInput
{
    public static (IReadOnlyList<PostureFinding>? Findings, string? Error) Scan(string[] paths, PolicySnapshot policy)
    {
        try
        {
            var report = K8sScanner.Scan(K8sSource.FromPaths(paths), policy);
            return (PostureFindings.From(report), null);
        }
        catch (FileNotFoundException e) { return (null, e.Message); }
        catch (ManifestException e) { return (null, e.Message); }
    }
}
