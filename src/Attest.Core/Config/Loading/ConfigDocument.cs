namespace Attest.Core.Config;

/// <summary>One scalar of the YAML file (a key or a value), with its path and position; validators scan these for literal secrets.</summary>
public readonly record struct ConfigScalar(string Path, string Value, ConfigLocation Location, bool IsKey);

/// <summary>
/// A config file as read: its text, hash, the bound <see cref="AttestConfig"/>, where every node came
/// from, and the errors found while parsing and binding (syntax, unknown keys, wrong types).
/// Semantic rules run afterwards (<see cref="ConfigValidation"/>). Immutable after loading.
/// </summary>
public sealed class ConfigDocument
{
    /// <summary>Name used in error messages (the path as the user gave it, or a file name).</summary>
    public required string File { get; init; }
    public required string Text { get; init; }
    /// <summary>SHA-256 (lowercase hex) of the UTF-8 text: the config version id.</summary>
    public required string ContentHash { get; init; }
    /// <summary>The bound config. When <see cref="Errors"/> is not empty it holds what could be bound (defaults elsewhere).</summary>
    public required AttestConfig Config { get; init; }
    public required SourceMap Map { get; init; }
    public required IReadOnlyList<ConfigScalar> Scalars { get; init; }
    /// <summary>False when the YAML itself could not be parsed (then <see cref="Config"/> is all defaults).</summary>
    public required bool IsParsed { get; init; }
    /// <summary>Parse and bind errors, ordered by position.</summary>
    public required IReadOnlyList<ConfigError> Errors { get; init; }
}
