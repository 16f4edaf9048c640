namespace Attest.Core.Config;

/// <summary>A position in a config file. Line and column are 1-based, as editors show them.</summary>
public readonly record struct ConfigLocation(int Line, int Column)
{
    /// <summary>The start of the file, used when a node has no position of its own.</summary>
    public static ConfigLocation Start { get; } = new(1, 1);
}

/// <summary>
/// One mistake in a config file. <see cref="ToString"/> gives the form editors and CI understand:
/// <c>attest.yaml:14:7: connector 'crm' has no owner</c>. Messages never repeat a secret's value.
/// </summary>
public sealed record ConfigError(string File, int Line, int Column, string Message)
{
    /// <inheritdoc />
    public override string ToString() => $"{File}:{Line}:{Column}: {Message}";
}

/// <summary>A config that could not be loaded. <see cref="Exception.Message"/> lists every error, one per line, each <c>file:line:col: message</c>.</summary>
public sealed class ConfigException : Exception
{
    /// <summary>Creates an exception with one message (already in <c>file:line:col: message</c> form).</summary>
    public ConfigException(string message) : base(message) => Errors = [];

    /// <summary>Creates an exception that carries every error of a file.</summary>
    public ConfigException(IReadOnlyList<ConfigError> errors)
        : base(string.Join(System.Environment.NewLine, errors)) => Errors = errors;

    /// <summary>The individual errors (empty when constructed from a message only).</summary>
    public IReadOnlyList<ConfigError> Errors { get; }
}
