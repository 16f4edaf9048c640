using System.Text.RegularExpressions;
using Attest.Core.Config;

namespace Attest.Server.Gateway;

/// <summary>Resolves a requested alias for a key: known, of the right kind, allowed for the key, and pinned when policy requires.</summary>
public static partial class ModelAccess
{
    public static (ModelConfig? Model, GatewayError? Error) Resolve(PolicySnapshot policy, VirtualKey key, string alias, string kind)
    {
        if (!policy.Models.TryGetValue(alias, out var model)) return (null, GatewayErrors.ModelNotFound(alias));
        if (!string.Equals(model.Kind, kind, StringComparison.OrdinalIgnoreCase)) return (null, GatewayErrors.WrongModelKind(alias, kind));
        if (!MayUse(key, alias)) return (null, GatewayErrors.ModelNotAllowed(alias));
        if (policy.Config.Limits.RequirePinnedModels && model.Targets.FirstOrDefault(t => !IsPinned(t.Model)) is { } loose)
            return (null, GatewayErrors.ModelNotPinned(alias, loose.Model));
        return (model, null);
    }

    public static bool MayUse(VirtualKey key, string alias) => key.Models.Count == 0 || key.Models.Contains(alias, StringComparer.Ordinal);

    /// <summary>
    /// A version is pinned when it names a snapshot: a date (<c>2024-08-06</c>, <c>20241022</c>, <c>2026-01</c>),
    /// a numbered revision suffix (<c>-001</c>, <c>-v2</c>, <c>@3</c>), or a non-<c>latest</c> tag (<c>llama3:8b-q4</c>).
    /// Anything ending in <c>latest</c> or a bare family name (<c>gpt-4o</c>) is not.
    /// </summary>
    public static bool IsPinned(string version)
    {
        if (string.IsNullOrWhiteSpace(version) || version.EndsWith("latest", StringComparison.OrdinalIgnoreCase)) return false;
        var colon = version.LastIndexOf(':');
        if (colon > 0 && colon < version.Length - 1) return true;
        return PinnedShape().IsMatch(version);
    }

    [GeneratedRegex(@"(\d{4}-\d{2}(-\d{2})?|\d{8}|-\d{3,4}$|-v\d+$|@\d+$)")]
    private static partial Regex PinnedShape();
}
