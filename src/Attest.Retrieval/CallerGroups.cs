using Attest.Core.Config;

namespace Attest.Retrieval;

/// <summary>Maps an end user to their groups from attest.yaml, within one tenant.</summary>
public static class CallerGroups
{
    /// <summary>The user's groups (principal groups and group memberships), without groups declared for another tenant.</summary>
    public static IReadOnlyList<string> For(PolicySnapshot policy, string user, string tenant)
    {
        var foreign = policy.Config.Groups.Where(g => g.Tenant is { Length: > 0 } gt && gt != tenant).Select(g => g.Id).ToHashSet(StringComparer.Ordinal);
        return [.. policy.GroupsOf(user).Where(g => !foreign.Contains(g))];
    }

    /// <summary>True when the user is a principal declared for another tenant.</summary>
    public static bool BelongsElsewhere(PolicySnapshot policy, string user, string tenant) =>
        policy.Principals.TryGetValue(user, out var p) && p.Tenant is { Length: > 0 } t && t != tenant;
}
