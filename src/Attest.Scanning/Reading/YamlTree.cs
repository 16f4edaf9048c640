using Attest.Scanning.Model;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Attest.Scanning.Reading;

/// <summary>A YAML node with the mark where it starts. Lighter than YamlDotNet's representation model (about twice as fast to build).</summary>
internal abstract class YNode(Mark start)
{
    public Mark Start { get; } = start;
}

internal sealed class YScalar(Mark start, string value, ScalarStyle style) : YNode(start)
{
    public string Value { get; } = value;
    public ScalarStyle Style { get; } = style;
}

internal sealed class YSeq(Mark start) : YNode(start)
{
    public List<YNode> Children { get; } = [];
}

internal sealed class YMap(Mark start) : YNode(start)
{
    public Dictionary<string, YNode> Children { get; } = new(StringComparer.Ordinal);
}

/// <summary>Builds <see cref="YNode"/> documents from YamlDotNet's parser events (anchors and aliases supported).</summary>
internal static class YamlTree
{
    /// <summary>Every document's root (null for an empty document). Throws <see cref="YamlException"/> or <see cref="ManifestException"/>.</summary>
    public static List<YNode?> Load(string text, string file)
    {
        var parser = new Parser(new StringReader(text));
        var anchors = new Dictionary<string, YNode>(StringComparer.Ordinal);
        var docs = new List<YNode?>();
        parser.Consume<StreamStart>();
        while (parser.TryConsume<DocumentStart>(out _))
        {
            docs.Add(parser.Current is DocumentEnd ? null : Read(parser, anchors, file));
            parser.Consume<DocumentEnd>();
            anchors.Clear();
        }
        parser.Consume<StreamEnd>();
        return docs;
    }

    private static YNode Read(IParser parser, Dictionary<string, YNode> anchors, string file)
    {
        if (parser.TryConsume<Scalar>(out var scalar))
            return Anchor(new YScalar(scalar.Start, scalar.Value, scalar.Style), scalar.Anchor, anchors);
        if (parser.TryConsume<AnchorAlias>(out var alias))
            return anchors.TryGetValue(alias.Value.Value, out var target) ? target
                : throw new ManifestException(new SourceLocation(file, (int)alias.Start.Line, (int)alias.Start.Column), $"unknown alias '*{alias.Value.Value}'");
        if (parser.TryConsume<SequenceStart>(out var seqStart))
        {
            var seq = new YSeq(seqStart.Start);
            Anchor(seq, seqStart.Anchor, anchors);
            while (!parser.TryConsume<SequenceEnd>(out _)) seq.Children.Add(Read(parser, anchors, file));
            return seq;
        }
        var mapStart = parser.Consume<MappingStart>();
        var map = new YMap(mapStart.Start);
        Anchor(map, mapStart.Anchor, anchors);
        while (!parser.TryConsume<MappingEnd>(out _))
        {
            var key = Read(parser, anchors, file);
            var value = Read(parser, anchors, file);
            if (key is not YScalar k) throw new ManifestException(At(key, file), "mapping keys must be strings");
            if (k.Value == "<<" && value is YMap merge)
            {
                foreach (var (mk, mv) in merge.Children) map.Children.TryAdd(mk, mv);
                continue;
            }
            if (!map.Children.TryAdd(k.Value, value)) throw new ManifestException(At(key, file), $"duplicate key '{k.Value}'");
        }
        return map;
    }

    private static YNode Anchor(YNode node, AnchorName anchor, Dictionary<string, YNode> anchors)
    {
        if (!anchor.IsEmpty) anchors[anchor.Value] = node;
        return node;
    }

    private static SourceLocation At(YNode node, string file) => new(file, (int)node.Start.Line, (int)node.Start.Column);
}
