using System.CommandLine;
using Attest.Cli.Commands;

var root = new RootCommand("Attest: SOC 2-aligned control plane for AI features — enforce policy on every request, retrieval and tool call, and keep the evidence.");
foreach (var module in typeof(ICliModule).Assembly.GetTypes()
             .Where(t => t is { IsAbstract: false, IsInterface: false } && typeof(ICliModule).IsAssignableFrom(t))
             .OrderBy(t => t.Name, StringComparer.Ordinal))
{
    foreach (var command in ((ICliModule)Activator.CreateInstance(module)!).Commands())
        root.Subcommands.Add(command);
}

var parse = root.Parse(args);
if (parse.Errors.Count > 0)
{
    foreach (var e in parse.Errors) Console.Error.WriteLine($"attest: {e.Message}");
    Console.Error.WriteLine("Run 'attest --help' for usage.");
    return ExitCodes.Usage;
}
try
{
    return await parse.InvokeAsync();
}
catch (OperationCanceledException)
{
    return ExitCodes.Failure;
}
