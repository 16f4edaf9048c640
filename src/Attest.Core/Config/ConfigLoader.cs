using System.Security.Cryptography;
using System.Text;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Attest.Core.Config;

/// <summary>Reads <c>attest.yaml</c> into an <see cref="AttestConfig"/> and a <see cref="PolicySnapshot"/>.</summary>
public static class ConfigLoader
{
    private static readonly IDeserializer Deserializer = new DeserializerBuilder()
        .WithNamingConvention(CamelCaseNamingConvention.Instance)
        .WithNodeTypeResolver(new ReadOnlyCollectionResolver())
        .Build();

    public static AttestConfig Parse(string yaml) => Deserializer.Deserialize<AttestConfig>(yaml) ?? new AttestConfig();

    public static PolicySnapshot LoadFile(string path)
    {
        var text = File.ReadAllText(path);
        return new PolicySnapshot(Parse(text), Hash(text), Path.GetFullPath(path));
    }

    public static PolicySnapshot FromText(string yaml, string? baseDirectory = null) =>
        new(Parse(yaml), Hash(yaml), null, baseDirectory);

    /// <summary>SHA-256 (lowercase hex) of the UTF-8 text.</summary>
    public static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}

/// <summary>Lets YamlDotNet fill the read-only collection interfaces the config records expose.</summary>
internal sealed class ReadOnlyCollectionResolver : INodeTypeResolver
{
    public bool Resolve(NodeEvent? nodeEvent, ref Type currentType)
    {
        if (!currentType.IsGenericType) return false;
        var def = currentType.GetGenericTypeDefinition();
        var args = currentType.GetGenericArguments();
        if (def == typeof(IReadOnlyList<>) || def == typeof(IEnumerable<>) || def == typeof(IReadOnlyCollection<>))
        {
            currentType = typeof(List<>).MakeGenericType(args);
            return true;
        }
        if (def == typeof(IReadOnlyDictionary<,>))
        {
            currentType = typeof(Dictionary<,>).MakeGenericType(args);
            return true;
        }
        return false;
    }
}
