namespace Attest.Core.Config;

/// <summary>
/// One rule over a bound config. Every non-abstract implementation in Attest.Core with a public
/// parameterless constructor is discovered and run by <see cref="ConfigValidation"/>, so a rule is
/// added as one file. Rules report through <see cref="ConfigValidationContext.Error(object?, string?, string, int?)"/>
/// and must not throw. Implementations are stateless and thread-safe.
/// </summary>
public interface IConfigValidator
{
    void Validate(ConfigValidationContext context);
}

/// <summary>What a rule sees: the config, where each node came from, and a sink for errors. Not thread-safe (one per validation).</summary>
public sealed class ConfigValidationContext(ConfigDocument document)
{
    private readonly List<ConfigError> _errors = [];

    public ConfigDocument Document { get; } = document;
    public AttestConfig Config => Document.Config;
    public SourceMap Map => Document.Map;
    public IReadOnlyList<ConfigError> Errors => _errors;

    /// <summary>Reports an error at <paramref name="owner"/>'s member (or element <paramref name="index"/> of it), falling back to the owner's node.</summary>
    public void Error(object? owner, string? member, string message, int? index = null) =>
        Error(Map.Of(owner, member, index), message);

    /// <summary>Reports an error at a position.</summary>
    public void Error(ConfigLocation at, string message) =>
        _errors.Add(new ConfigError(Document.File, at.Line, at.Column, message));
}

/// <summary>Runs every <see cref="IConfigValidator"/> over a document. Thread-safe.</summary>
public static class ConfigValidation
{
    /// <summary>The discovered rules, in type-name order.</summary>
    public static IReadOnlyList<IConfigValidator> Validators { get; } =
        [.. typeof(IConfigValidator).Assembly.GetTypes()
            .Where(t => t is { IsAbstract: false, IsInterface: false } && typeof(IConfigValidator).IsAssignableFrom(t) && t.GetConstructor(Type.EmptyTypes) is not null)
            .OrderBy(t => t.FullName, StringComparer.Ordinal)
            .Select(t => (IConfigValidator)Activator.CreateInstance(t)!)];

    /// <summary>Parse and bind errors plus every rule's errors, ordered by position. Empty means the config is valid.</summary>
    public static IReadOnlyList<ConfigError> Validate(ConfigDocument document)
    {
        var context = new ConfigValidationContext(document);
        // Without a parse there is nothing to check; after bind errors the rules still run (unbound members keep defaults).
        if (document.IsParsed)
        {
            foreach (var rule in Validators) rule.Validate(context);
        }
        return YamlConfigReader.Order([.. document.Errors, .. context.Errors]);
    }
}
