using Attest.Scanning.Analysis;
using Attest.Scanning.Model;

namespace Attest.Scanning.Rules;

/// <summary>Rules judged on bindings: public groups (-020), default service account (-018), missing roles and accounts (-021, -022).</summary>
internal static class BindingChecks
{
    public static void Run(RbacGraph graph, List<Finding> findings)
    {
        foreach (var binding in graph.Manifests.Bindings)
        {
            if (Builtins.IsBuiltin(binding)) continue;
            foreach (var subject in binding.Subjects)
            {
                var severity = subject switch
                {
                    { Kind: "User", Name: "system:anonymous" } or { Kind: "Group", Name: "system:unauthenticated" } => Severity.Critical,
                    { Kind: "Group", Name: "system:authenticated" or "system:serviceaccounts" } => Severity.High,
                    { Kind: "Group" } when subject.Name.StartsWith("system:serviceaccounts:", StringComparison.Ordinal) => Severity.Medium,
                    _ => (Severity?)null,
                };
                if (severity is { } s)
                    findings.Add(new Finding("ATT-K8S-020", s, subject.Key,
                        $"{binding.Display} grants {binding.RoleKind} {binding.RoleName} to {subject.Key} ({Audience(subject)})",
                        binding.Location, [], []));
                if (subject is { Kind: "ServiceAccount", Name: "default" })
                    findings.Add(new Finding("ATT-K8S-018", Severity.Medium, subject.Key,
                        $"{binding.Display} grants {binding.RoleKind} {binding.RoleName} to the default service account of {subject.Namespace}; every pod there without a serviceAccountName gets it",
                        binding.Location, [], []));
            }
        }
        foreach (var binding in graph.MissingRoles)
        {
            findings.Add(new Finding("ATT-K8S-021", Severity.Low, binding.Display,
                $"{binding.Display} references {binding.RoleKind} {binding.RoleName}, which does not exist in the scanned input",
                binding.Location, [], []));
        }
        foreach (var (binding, subject) in graph.MissingServiceAccounts)
        {
            findings.Add(new Finding("ATT-K8S-022", Severity.Medium, subject.Key,
                $"{binding.Display} binds {subject.Key}, which does not exist although namespace {subject.Namespace}'s service accounts were scanned",
                binding.Location, [], []));
        }
    }

    private static string Audience(RbacSubject s) => s.Name switch
    {
        "system:anonymous" or "system:unauthenticated" => "anyone who can reach the API server, without credentials",
        "system:authenticated" => "every authenticated user and service account",
        "system:serviceaccounts" => "every service account in the cluster",
        _ => "every service account in the namespace",
    };
}
