using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Attest.Core.Config;

/// <summary>Parses YAML into the representation model (which keeps marks), then binds it with <see cref="ConfigBinder"/>.</summary>
internal static partial class YamlConfigReader
{
    public static ConfigDocument Read(string text, string file)
    {
        var errors = new List<ConfigError>();
        var map = new SourceMap();
        var scalars = new List<ConfigScalar>();
        var config = new AttestConfig();
        YamlNode? root = null;
        var parsed = true;
        Scanner? scanner = null;
        try
        {
            scanner = new Scanner(new StringReader(text));
            var stream = new YamlStream();
            stream.Load(new Parser(scanner));
            if (stream.Documents.Count > 1)
            {
                var second = stream.Documents[1].RootNode.Start;
                errors.Add(new ConfigError(file, (int)second.Line, (int)second.Column, "only one YAML document is allowed in a config file"));
            }
            root = stream.Documents.Count > 0 ? stream.Documents[0].RootNode : null;
        }
        catch (YamlException e)
        {
            parsed = false;
            errors.Add(new ConfigError(file, (int)e.Start.Line, (int)e.Start.Column, "YAML syntax error: " + CleanMessage(e)));
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner gives up this way when input ends inside a flow collection.
            parsed = false;
            var at = scanner?.CurrentPosition ?? Mark.Empty;
            errors.Add(new ConfigError(file, (int)at.Line, (int)at.Column, "YAML syntax error: unexpected end of input (an unclosed '[', '{' or quote?)"));
        }
        if (parsed && (root is null || ConfigBinder.IsNull(root)))
        {
            errors.Add(new ConfigError(file, 1, 1, "the file is empty: a config needs at least 'version: 1'"));
        }
        else if (root is not null)
        {
            Collect(root, "", scalars);
            if (root is YamlMappingNode)
            {
                config = (AttestConfig)new ConfigBinder(file, map, errors).BindRecord(root, typeof(AttestConfig), "")!;
            }
            else if (!ConfigBinder.IsNull(root))
            {
                errors.Add(new ConfigError(file, (int)root.Start.Line, (int)root.Start.Column,
                    "the file must be a mapping of sections (version, server, tenants, …)"));
            }
        }
        return new ConfigDocument
        {
            File = file, Text = text, ContentHash = Hash(text), Config = config, Map = map, Scalars = scalars, IsParsed = parsed,
            Errors = Order(errors),
        };
    }

    public static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    public static IReadOnlyList<ConfigError> Order(IEnumerable<ConfigError> errors) =>
        [.. errors.Distinct().OrderBy(e => e.Line).ThenBy(e => e.Column).ThenBy(e => e.Message, StringComparer.Ordinal)];

    private static void Collect(YamlNode node, string path, List<ConfigScalar> into)
    {
        switch (node)
        {
            case YamlScalarNode s when s.Value is not null:
                into.Add(new ConfigScalar(path, s.Value, ConfigBinder.At(s), IsKey: false));
                break;
            case YamlSequenceNode seq:
                for (int i = 0; i < seq.Children.Count; i++) Collect(seq.Children[i], $"{path}[{i}]", into);
                break;
            case YamlMappingNode m:
                foreach (var (k, v) in m.Children)
                {
                    var name = k is YamlScalarNode ks ? ks.Value ?? "" : "?";
                    if (k is YamlScalarNode { Value: not null } key) into.Add(new ConfigScalar(path, key.Value, ConfigBinder.At(key), IsKey: true));
                    Collect(v, path.Length == 0 ? name : $"{path}.{name}", into);
                }
                break;
        }
    }

    // YamlDotNet prefixes messages with "(Line: 3, Col: 5, Idx: 20) - (Line: …): "; the position is reported separately.
    private static string CleanMessage(YamlException e)
    {
        var message = MarkPrefix().Replace(e.Message, "");
        if (e.InnerException is ArgumentException inner && inner.Message.Contains("same key", StringComparison.Ordinal))
            message = "duplicate key";
        if (message.StartsWith("Duplicate key ", StringComparison.Ordinal))
            message = $"duplicate key '{message["Duplicate key ".Length..]}' (each key may appear once per mapping)";
        return message.TrimEnd('.');
    }

    [GeneratedRegex(@"^\(Line: \d+, Col: \d+, Idx: \d+\) - \(Line: \d+, Col: \d+, Idx: \d+\): ")]
    private static partial Regex MarkPrefix();
}
