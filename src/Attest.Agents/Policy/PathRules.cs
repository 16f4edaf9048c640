namespace Attest.Agents.Policy;

/// <summary>Lexical path normalisation for constraints: resolves <c>.</c> and <c>..</c> without touching the disk.</summary>
public static class PathRules
{
    /// <summary>Normalises an absolute '/'-separated path. False when it is relative, holds a NUL, or climbs above the root.</summary>
    public static bool TryNormalize(string path, out string normalized)
    {
        normalized = "";
        if (string.IsNullOrEmpty(path) || path.Contains('\0', StringComparison.Ordinal)) return false;
        var p = path.Replace('\\', '/');
        if (!p.StartsWith('/')) return false;
        var parts = new List<string>();
        foreach (var seg in p.Split('/'))
        {
            if (seg.Length == 0 || seg == ".") continue;
            if (seg == "..")
            {
                if (parts.Count == 0) return false;
                parts.RemoveAt(parts.Count - 1);
                continue;
            }
            parts.Add(seg);
        }
        normalized = "/" + string.Join('/', parts);
        return true;
    }

    /// <summary>True when the normalised path is the prefix folder or inside it (segment-wise, so /data/outside is not under /data/out).</summary>
    public static bool IsUnder(string normalizedPath, string prefix)
    {
        if (!TryNormalize(prefix, out var root)) return false;
        if (root == "/") return true;
        return normalizedPath == root || normalizedPath.StartsWith(root + "/", StringComparison.Ordinal);
    }
}
