using System.Net.Http.Json;
using System.Text.Json;
using Attest.Core.Config;
using Attest.Storage.Config;
using Microsoft.Extensions.DependencyInjection;

namespace Attest.Cli.Demo;

/// <summary>
/// Policy as code: a broken copy of the config is refused with file:line:column, a live edit is
/// hot-reloaded (the served version changes at /readyz), an invalid live edit is rejected while the
/// previous version keeps serving, and the original is restored. Each applied version is recorded.
/// </summary>
internal sealed class ConfigDemoStep : IDemoStep
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    public int Order => 10;
    public string Title => "Policy as code: validation, hot reload, version history";
    public string Controls => "CC8.1 (change management), CC6.1 (secrets by reference)";

    public async Task<bool> RunAsync(DemoContext context, CancellationToken cancellationToken)
    {
        if (context.Policy is not IReloadingPolicySource source)
        {
            context.Say("the demo's policy source does not hot-reload");
            return false;
        }
        var original = await File.ReadAllTextAsync(context.ConfigPath, cancellationToken);
        var startHash = await ServedHash(context, cancellationToken);

        // 1. A broken copy: a provider whose API key is written into the file (built here so no key-like literal sits in source).
        var fakeKey = "sk-" + new string('x', 32);
        var broken = InsertAfter(original, "providers:\n", $"  - id: leaky\n    type: openai\n    apiKey: {fakeKey}\n");
        var brokenPath = Path.Combine(context.WorkDirectory, "attest.broken.yaml");
        await File.WriteAllTextAsync(brokenPath, broken, cancellationToken);
        var errors = ConfigLoader.Validate(ConfigLoader.Read(broken, "attest.broken.yaml"));
        foreach (var e in errors) context.Say($"validate attest.broken.yaml -> {e}");
        var refused = errors.Count > 0 && errors.All(e => !e.Message.Contains(fakeKey, StringComparison.Ordinal));

        // 2. A valid live edit is applied without restart.
        var edited = original.TrimEnd('\n') + "\n# edited by attest demo: a comment is enough to make a new version\n";
        var applied = await ChangeAndWait(source, context.ConfigPath, edited, cancellationToken);
        var editedHash = await ServedHash(context, cancellationToken);
        context.Say($"edit attest.yaml -> /readyz serves version {Short(editedHash)} (was {Short(startHash)})");

        // 3. An invalid live edit is rejected; the edited version keeps serving.
        var rejected = new TaskCompletionSource<ConfigRejection>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnRejected(ConfigRejection r) => rejected.TrySetResult(r);
        source.Rejected += OnRejected;
        await File.WriteAllTextAsync(context.ConfigPath, broken, cancellationToken);
        var rejection = await rejected.Task.WaitAsync(Wait, cancellationToken);
        source.Rejected -= OnRejected;
        var stillServing = await ServedHash(context, cancellationToken);
        context.Say($"save the broken text live -> rejected ({rejection.Errors.Count} error(s)); /readyz still serves {Short(stillServing)}");

        // 4. Restore the original.
        var restored = await ChangeAndWait(source, context.ConfigPath, original, cancellationToken);
        var endHash = await ServedHash(context, cancellationToken);
        var store = context.Server.Services.GetRequiredService<ConfigVersionStore>();
        var history = await Until(async () => await store.ListAsync(10, cancellationToken) is { Count: >= 3 } h ? h : null, cancellationToken);
        context.Say($"restore -> serving {Short(endHash)} again; config history holds {history?.Count ?? 0} versions (start, edit, restore)");

        return refused && applied is not null && editedHash == ConfigLoader.Hash(edited) && editedHash != startHash
               && stillServing == editedHash && restored is not null && endHash == startHash && history is not null;
    }

    private static async Task<PolicySnapshot?> ChangeAndWait(IReloadingPolicySource source, string path, string text, CancellationToken ct)
    {
        var hash = ConfigLoader.Hash(text);
        var changed = new TaskCompletionSource<PolicySnapshot>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnChanged(PolicySnapshot s) { if (s.ContentHash == hash) changed.TrySetResult(s); }
        source.Changed += OnChanged;
        try
        {
            await File.WriteAllTextAsync(path, text, ct);
            return await changed.Task.WaitAsync(Wait, ct);
        }
        catch (TimeoutException) { return null; }
        finally { source.Changed -= OnChanged; }
    }

    private static async Task<T?> Until<T>(Func<Task<T?>> probe, CancellationToken ct) where T : class
    {
        for (int i = 0; i < 100; i++)
        {
            if (await probe() is { } v) return v;
            await Task.Delay(50, ct);
        }
        return null;
    }

    private static async Task<string?> ServedHash(DemoContext context, CancellationToken ct)
    {
        var ready = await context.Http.GetFromJsonAsync<JsonElement>("readyz", ct);
        return ready.GetProperty("config").GetString();
    }

    private static string InsertAfter(string text, string marker, string insert)
    {
        var i = text.IndexOf("\n" + marker, StringComparison.Ordinal);
        return i < 0 ? text + "\n" + marker + insert : text.Insert(i + 1 + marker.Length, insert);
    }

    private static string Short(string? hash) => hash is null ? "(none)" : hash[..Math.Min(12, hash.Length)];
}
