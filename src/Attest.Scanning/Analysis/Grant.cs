using Attest.Scanning.Model;

namespace Attest.Scanning.Analysis;

/// <summary>
/// One policy rule granted to one subject through one binding. <see cref="Scope"/> is the namespace the rule
/// applies in, or null when it applies cluster-wide (a ClusterRoleBinding). <see cref="ViaGroup"/> is set when the
/// subject holds the grant through a group it belongs to implicitly (system:serviceaccounts, system:authenticated, …).
/// </summary>
public sealed record Grant(RbacSubject Subject, string? Scope, PolicyRule Rule, RbacRole Role, RbacBinding Binding, string? ViaGroup = null)
{
    public string ScopeDisplay => Scope is null ? "cluster-wide" : $"in namespace {Scope}";

    /// <summary>True when the grant applies in <paramref name="ns"/> (cluster-wide grants apply everywhere).</summary>
    public bool AppliesIn(string ns) => Scope is null || Scope == ns;

    /// <summary>Where to point a reader: the rule line, or the binding when the role is a Kubernetes built-in.</summary>
    public SourceLocation PrimaryLocation => Rule.Location.File.StartsWith(BuiltinRoles.FilePrefix, StringComparison.Ordinal) ? Binding.Location : Rule.Location;
}
