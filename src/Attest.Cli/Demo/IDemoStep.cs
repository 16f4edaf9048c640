namespace Attest.Cli.Demo;

/// <summary>
/// One step of <c>attest demo</c>. Every non-abstract implementation in this assembly is discovered
/// and run in <see cref="Order"/>. A step prints what happened and which control it evidences, and
/// returns false when the behaviour was not as expected (the demo then exits 1).
/// </summary>
internal interface IDemoStep
{
    int Order { get; }
    string Title { get; }
    /// <summary>Controls this step evidences, e.g. <c>CC6.1</c>.</summary>
    string Controls { get; }
    Task<bool> RunAsync(DemoContext context, CancellationToken cancellationToken);
}
