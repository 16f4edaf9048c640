using System.CommandLine;
using Attest.Cli.Demo;

namespace Attest.Cli.Commands;

/// <summary><c>attest init</c>: a commented starter attest.yaml and a sample data folder.</summary>
internal sealed class InitCommands : ICliModule
{
    /// <summary>Sample documents for retrieval, by path under <c>data/</c>: one folder per tenant.</summary>
    internal static readonly IReadOnlyDictionary<string, string> SampleData = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["README.md"] = "# Sample data\n\nOne folder per tenant. Documents here are examples for retrieval and connector eval cases;\nreplace them with your own. Nothing in this folder is secret.\n",
        ["acme/handbook.md"] = "# Acme employee handbook\n\nHoliday requests go to your team lead at least two weeks ahead.\nExpenses above 500 EUR need a director's approval.\n",
        ["acme/refund-policy.md"] = "# Acme refund policy\n\nCustomers may return unused items within 30 days for a full refund.\nRefunds above 100 EUR are approved by the finance team.\n",
        ["globex/pricing.md"] = "# Globex price list (internal)\n\nStandard plan: 40 USD per seat per month. Enterprise: contact sales.\n",
    };

    public IEnumerable<Command> Commands()
    {
        var dir = new Argument<string?>("DIR") { Description = "Folder to write into (default: current folder)", Arity = ArgumentArity.ZeroOrOne };
        var force = new Option<bool>("--force") { Description = "Overwrite an existing attest.yaml and sample files" };
        var cmd = new Command("init", "Write a commented starter attest.yaml and a sample data folder") { dir, force };
        cmd.SetAction(async (parse, ct) =>
        {
            var root = Path.GetFullPath(parse.GetValue(dir) ?? ".");
            var config = Path.Combine(root, "attest.yaml");
            var overwrite = parse.GetValue(force);
            if (File.Exists(config) && !overwrite) return CliCommon.Fail($"{config} already exists (use --force to overwrite)");
            Directory.CreateDirectory(root);
            await File.WriteAllTextAsync(config, SampleConfig.Text, ct);
            int written = 0;
            foreach (var (name, text) in SampleData)
            {
                var path = Path.Combine(root, "data", name);
                if (File.Exists(path) && !overwrite) continue;
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                await File.WriteAllTextAsync(path, text, ct);
                written++;
            }
            Console.WriteLine($"Wrote {config} and {written} sample file(s) under {Path.Combine(root, "data")}.");
            Console.WriteLine("Next: attest config validate, then attest serve.");
            return ExitCodes.Ok;
        });
        return [cmd];
    }
}
