namespace Attest.Core.Config;

/// <summary>A config that could not be loaded; the message names file, line and column.</summary>
public sealed class ConfigException(string message) : Exception(message);

/// <summary>Creates policy sources.</summary>
public static class PolicySources
{
    /// <summary>Loads a file into a policy source. Throws <see cref="ConfigException"/> when the file is invalid.</summary>
    public static IPolicySource FromFile(string path)
    {
        try
        {
            return new StaticPolicySource(ConfigLoader.LoadFile(path));
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new ConfigException($"{Path.GetFileName(path)}:{e.Start.Line}:{e.Start.Column}: {e.InnerException?.Message ?? e.Message}");
        }
    }
}
