using System.Collections.Concurrent;
using Attest.Core.Audit;
using Attest.Core.Guards;
using Attest.Server.Gateway;
using Microsoft.Extensions.Logging;

namespace Attest.Agents.Tests;

/// <summary>Keeps every audit record; can be told to fail.</summary>
public sealed class RecordingAuditLog : IAuditLog
{
    public ConcurrentQueue<AuditRecord> Records { get; } = new();
    public bool Fail { get; set; }

    public ValueTask<string> AppendAsync(AuditRecord record, CancellationToken cancellationToken = default)
    {
        if (Fail) throw new IOException("audit store down");
        Records.Enqueue(record);
        return ValueTask.FromResult(Guid.NewGuid().ToString("n"));
    }

    public IReadOnlyList<AuditRecord> OfType(string type) => [.. Records.Where(r => r.Type == type)];
}

/// <summary>Blocks any text containing the marker (stands in for the injection and secret guards).</summary>
public sealed class MarkerGuard : IGuardPipeline
{
    public const string Marker = "IGNORE-ALL-PREVIOUS";

    public ValueTask<GuardVerdict> EvaluateAsync(string text, GuardContext context, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(text.Contains(Marker, StringComparison.Ordinal)
            ? new GuardVerdict { Action = GuardAction.Block, Text = text, Reasons = [$"test.marker:{context.Direction}"] }
            : GuardVerdict.Allowed(text));

    public IStreamingGuardSession BeginStream(GuardContext context) => throw new NotSupportedException();
    public string Restore(string text, GuardContext context) => text;
}

/// <summary>Bearer key -> virtual key, from a fixed table.</summary>
public sealed class TableAuthenticator(Dictionary<string, VirtualKey> keys) : IKeyAuthenticator
{
    public ValueTask<KeyAuthentication> AuthenticateAsync(string? presentedKey, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(presentedKey is null ? new KeyAuthentication(null, KeyFailure.Missing)
            : keys.TryGetValue(presentedKey, out var k) ? new KeyAuthentication(k, KeyFailure.None) : new KeyAuthentication(null, KeyFailure.Unknown));

    public static VirtualKey Key(string id, string? agent = null, string? principal = null) =>
        new() { Id = id, Tenant = "acme", Agent = agent, Principal = principal, DisplayPrefix = "atk_" + id };
}

/// <summary>Captures every formatted log line, to prove secrets never reach logs.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    public ConcurrentQueue<string> Lines { get; } = new();
    public ILogger CreateLogger(string categoryName) => new L(this, categoryName);
    public void Dispose() { }

    private sealed class L(CapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Lines.Enqueue($"{category}: {formatter(state, exception)} {exception}");
    }
}
