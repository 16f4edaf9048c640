using System.Text;

namespace Attest.Scanning;

/// <summary>One input text (a file, or stdin) with the name findings will cite.</summary>
public sealed record K8sSource(string Name, string Text)
{
    /// <summary>Name used for standard input.</summary>
    public const string StdinName = "<stdin>";

    private static readonly string[] Extensions = [".yaml", ".yml", ".json"];

    /// <summary>
    /// Expands paths: a file is read as is; a directory is walked recursively for *.yaml, *.yml and *.json
    /// (hidden folders skipped, ordinal order); <c>-</c> reads <paramref name="stdin"/>.
    /// Throws <see cref="FileNotFoundException"/> for a path that does not exist.
    /// </summary>
    public static IReadOnlyList<K8sSource> FromPaths(IEnumerable<string> paths, TextReader? stdin = null)
    {
        var result = new List<K8sSource>();
        foreach (var path in paths)
        {
            if (path == "-")
            {
                result.Add(new K8sSource(StdinName, (stdin ?? Console.In).ReadToEnd()));
            }
            else if (Directory.Exists(path))
            {
                foreach (var file in Walk(path)) result.Add(Read(file));
            }
            else if (File.Exists(path))
            {
                result.Add(Read(path));
            }
            else
            {
                throw new FileNotFoundException($"{path}: no such file or directory", path);
            }
        }
        return result;
    }

    private static K8sSource Read(string path) => new(path.Replace('\\', '/'), File.ReadAllText(path, Encoding.UTF8));

    private static IEnumerable<string> Walk(string dir)
    {
        foreach (var file in Directory.GetFiles(dir).Order(StringComparer.Ordinal))
        {
            if (Extensions.Contains(Path.GetExtension(file), StringComparer.OrdinalIgnoreCase)) yield return file;
        }
        foreach (var sub in Directory.GetDirectories(dir).Order(StringComparer.Ordinal))
        {
            if (Path.GetFileName(sub).StartsWith('.')) continue;
            foreach (var file in Walk(sub)) yield return file;
        }
    }
}
