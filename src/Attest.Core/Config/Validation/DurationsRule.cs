namespace Attest.Core.Config;

/// <summary>Members that hold a duration parse (<c>90s</c>, <c>15m</c>, <c>1h</c>, <c>30d</c>, <c>2w</c>, <c>12mo</c>, <c>7y</c>).</summary>
public sealed class DurationsRule : IConfigValidator
{
    public void Validate(ConfigValidationContext context)
    {
        foreach (var m in ConfigWalker.Members(context.Config))
        {
            if (m.Value is not string { Length: > 0 } text || !ConfigVocabulary.IsDuration(m.Property.DeclaringType!, m.Property.Name)) continue;
            if (!Durations.TryParse(text, out _))
                context.Error(m.Owner, m.Key, $"'{m.Path}' is '{text}', not a duration (use e.g. 90s, 15m, 1h, 30d, 2w, 12mo, 7y)");
        }
    }
}
