namespace Attest.Core.Config;

/// <summary>
/// Reads <c>attest.yaml</c> into an <see cref="AttestConfig"/> and a <see cref="PolicySnapshot"/>.
/// <see cref="Read"/> parses and binds (keeping every node's line and column); <see cref="Validate"/>
/// adds every <see cref="IConfigValidator"/> rule; <see cref="LoadFile"/> and <see cref="LoadText"/> do both
/// and throw <see cref="ConfigException"/> listing all errors. Thread-safe (stateless).
/// </summary>
public static class ConfigLoader
{
    /// <summary>Parses and binds <paramref name="yaml"/>; errors name <paramref name="file"/>. Never throws for bad input.</summary>
    public static ConfigDocument Read(string yaml, string file = "attest.yaml") => YamlConfigReader.Read(yaml, file);

    /// <summary>Every parse, bind and rule error of <paramref name="document"/>, ordered by position. Empty means valid.</summary>
    public static IReadOnlyList<ConfigError> Validate(ConfigDocument document) => ConfigValidation.Validate(document);

    /// <summary>
    /// Binds <paramref name="yaml"/> without the semantic rules (handy for tests and partial configs).
    /// Throws <see cref="ConfigException"/> on syntax errors, unknown keys and wrong types.
    /// </summary>
    public static AttestConfig Parse(string yaml)
    {
        var doc = Read(yaml);
        return doc.Errors.Count == 0 ? doc.Config : throw new ConfigException(doc.Errors);
    }

    /// <summary>Loads and fully validates a file. Errors name the path as given. Throws <see cref="ConfigException"/> when invalid or unreadable.</summary>
    public static PolicySnapshot LoadFile(string path)
    {
        string text;
        try { text = File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException($"{path}:1:1: cannot read the file: {e.Message}");
        }
        return LoadText(text, path, Path.GetFullPath(path));
    }

    /// <summary>Fully validates <paramref name="yaml"/> and compiles it. Throws <see cref="ConfigException"/> with every error.</summary>
    public static PolicySnapshot LoadText(string yaml, string file, string? sourcePath = null, string? baseDirectory = null)
    {
        var doc = Read(yaml, file);
        var errors = Validate(doc);
        if (errors.Count > 0) throw new ConfigException(errors);
        return Compile(doc, sourcePath, baseDirectory);
    }

    /// <summary>Compiles a document into a snapshot (no validation; callers validate first).</summary>
    public static PolicySnapshot Compile(ConfigDocument document, string? sourcePath = null, string? baseDirectory = null) =>
        new(document.Config, document.ContentHash, sourcePath, baseDirectory) { SourceText = document.Text };

    /// <summary>Binds <paramref name="yaml"/> (no semantic rules) into a snapshot. Throws <see cref="ConfigException"/> on syntax, key and type errors.</summary>
    public static PolicySnapshot FromText(string yaml, string? baseDirectory = null) =>
        new(Parse(yaml), Hash(yaml), null, baseDirectory) { SourceText = yaml };

    /// <summary>SHA-256 (lowercase hex) of the UTF-8 text.</summary>
    public static string Hash(string text) => YamlConfigReader.Hash(text);
}
