using System.Text.RegularExpressions;

namespace Attest.Core.Config;

/// <summary>
/// With <c>limits.requirePinnedModels</c> (the default), every model target names an exact version:
/// a date (<c>gpt-4o-2024-08-06</c>, <c>claude-3-5-sonnet-20241022</c>) or a version suffix
/// (<c>-001</c>, <c>@v2</c>, <c>:1.2</c>); never <c>latest</c> or a bare family name.
/// </summary>
public sealed partial class PinnedModelsRule : IConfigValidator
{
    public void Validate(ConfigValidationContext context)
    {
        if (!context.Config.Limits.RequirePinnedModels) return;
        foreach (var model in context.Config.Models)
        {
            foreach (var target in model.Targets)
            {
                if (string.IsNullOrWhiteSpace(target.Model) || IsPinned(target.Model)) continue;
                context.Error(target, "model",
                    $"model '{model.Alias}' target '{target.Model}' is not pinned to a version (limits.requirePinnedModels): name an exact dated version such as gpt-4o-2024-08-06");
            }
        }
    }

    /// <summary>True when <paramref name="model"/> names one exact version.</summary>
    public static bool IsPinned(string model) =>
        !model.Contains("latest", StringComparison.OrdinalIgnoreCase) && (DateStamp().IsMatch(model) || VersionSuffix().IsMatch(model));

    [GeneratedRegex(@"(?:19|20)\d{2}-?(?:0[1-9]|1[0-2])(?:-?(?:0[1-9]|[12]\d|3[01]))?(?!\d)")]
    private static partial Regex DateStamp();
    [GeneratedRegex(@"(?:-\d{3,}|[@:]v?\d+(?:\.\d+)*|-v\d+(?:\.\d+)*)$")]
    private static partial Regex VersionSuffix();
}
