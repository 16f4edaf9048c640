namespace Attest.Core.Config;

/// <summary>Ids are unique within their section; the error names where the first one was declared.</summary>
public sealed class DuplicateIdsRule : IConfigValidator
{
    public void Validate(ConfigValidationContext context)
    {
        foreach (var (_, kind, items) in Sections.Of(context.Config))
        {
            var first = new Dictionary<string, object>(StringComparer.Ordinal);
            foreach (var (entry, id, idKey) in items)
            {
                if (string.IsNullOrWhiteSpace(id)) continue;
                if (first.TryGetValue(id, out var earlier))
                    context.Error(entry, idKey, $"duplicate {kind} {idKey} '{id}' (first declared at line {context.Map.Of(earlier, idKey).Line})");
                else
                    first[id] = entry;
            }
        }
    }
}
