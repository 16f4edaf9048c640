namespace Attest.Core.Config;

/// <summary>Members with a closed vocabulary (<see cref="ConfigVocabulary"/>) hold one of its values: tool kinds, provider types, storage kind, impacts, classifications, ….</summary>
public sealed class VocabularyRule : IConfigValidator
{
    public void Validate(ConfigValidationContext context)
    {
        foreach (var m in ConfigWalker.Members(context.Config))
        {
            if (ConfigVocabulary.For(m.Property.DeclaringType!, m.Property.Name) is not { } allowed) continue;
            switch (m.Value)
            {
                case string s when s.Length > 0 && !allowed.Contains(s, StringComparer.Ordinal):
                    context.Error(m.Owner, m.Key, Message(m.Path, s, allowed));
                    break;
                case IReadOnlyList<string> list:
                    for (int i = 0; i < list.Count; i++)
                    {
                        if (!allowed.Contains(list[i], StringComparer.Ordinal))
                            context.Error(m.Owner, m.Key, Message($"{m.Path}[{i}]", list[i], allowed), i);
                    }
                    break;
            }
        }
    }

    private static string Message(string path, string value, IReadOnlyList<string> allowed) =>
        $"'{path}' is '{value}'; use one of {string.Join(", ", allowed)}";
}
