using Attest.Scanning.Model;
using YamlDotNet.Core;

namespace Attest.Scanning.Reading;

/// <summary>
/// Reads multi-document YAML or JSON (JSON is read as YAML flow style) into a <see cref="ManifestSet"/>,
/// unwrapping <c>List</c> kinds and keeping the file, line and column of every object, rule and binding.
/// </summary>
public static class ManifestReader
{
    /// <summary>Reads every source. Throws <see cref="ManifestException"/> (file:line:column) on malformed input.</summary>
    public static ManifestSet Read(IEnumerable<K8sSource> sources)
    {
        var set = new ManifestSet();
        foreach (var source in sources) ReadOne(source, set);
        set.Normalise();
        return set;
    }

    private static void ReadOne(K8sSource source, ManifestSet set)
    {
        List<YNode?> docs;
        try
        {
            docs = YamlTree.Load(source.Text, source.Name);
        }
        catch (YamlException e)
        {
            var at = new SourceLocation(source.Name, (int)e.Start.Line, (int)e.Start.Column);
            throw new ManifestException(at, "invalid YAML: " + (e.InnerException?.Message ?? e.Message));
        }
        foreach (var doc in docs)
        {
            switch (doc)
            {
                case YMap map:
                    ReadObject(map, source.Name, set);
                    break;
                case null or YScalar { Value: "" or "~" or "null" }:
                    break;
                default:
                    throw new ManifestException(doc.At(source.Name), "expected a Kubernetes object (a mapping with apiVersion and kind)");
            }
        }
    }

    private static void ReadObject(YMap map, string file, ManifestSet set)
    {
        var kind = map.Str("kind", file);
        if (kind is null)
        {
            set.Notes.Add($"{map.At(file)}: document without 'kind' ignored");
            return;
        }
        if (kind.EndsWith("List", StringComparison.Ordinal) && map.Get("items") is not null)
        {
            var items = map.Seq("items", file)!;
            foreach (var item in items.Children)
            {
                if (item is not YMap m) throw new ManifestException(item.At(file), "List items must be objects");
                ReadObject(m, file, set);
            }
            return;
        }
        ObjectReaders.Read(kind, map, file, set);
    }
}
