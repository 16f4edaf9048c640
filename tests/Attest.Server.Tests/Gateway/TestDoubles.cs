using System.Collections.Concurrent;
using Attest.Core.Agents;
using Attest.Core.Audit;
using Attest.Core.Guards;
using Attest.Core.Identity;
using Attest.Core.Retrieval;
using Attest.Server.Gateway;
using Microsoft.Extensions.Logging;

namespace Attest.Server.Tests.Gateway;

/// <summary>Keys held in memory for tests (the real store belongs to the virtual-keys capability).</summary>
public sealed class TestKeys : IKeyAuthenticator
{
    public ConcurrentDictionary<string, VirtualKey> Keys { get; } = new(StringComparer.Ordinal);

    public VirtualKey Add(string secret, string tenant = "acme", IReadOnlyList<string>? scopes = null, IReadOnlyList<string>? models = null,
        DateTimeOffset? revoked = null, DateTimeOffset? expires = null, string? agent = null)
    {
        var key = new VirtualKey
        {
            Id = "key_" + Keys.Count, Tenant = tenant, DisplayPrefix = secret[..Math.Min(8, secret.Length)], Scopes = scopes ?? [],
            Models = models ?? [], RevokedAt = revoked, ExpiresAt = expires, Agent = agent,
        };
        Keys[secret] = key;
        return key;
    }

    public ValueTask<KeyAuthentication> AuthenticateAsync(string? presentedKey, CancellationToken cancellationToken = default)
    {
        if (presentedKey is null) return ValueTask.FromResult(new KeyAuthentication(null, KeyFailure.Missing));
        if (!Keys.TryGetValue(presentedKey, out var key)) return ValueTask.FromResult(new KeyAuthentication(null, KeyFailure.Unknown));
        if (key.RevokedAt is not null) return ValueTask.FromResult(new KeyAuthentication(null, KeyFailure.Revoked));
        return ValueTask.FromResult(new KeyAuthentication(key, KeyFailure.None));
    }
}

public sealed class RecordingAuditLog : IAuditLog
{
    public ConcurrentQueue<AuditRecord> Records { get; } = new();
    public bool Fail { get; set; }
    /// <summary>How long an append takes to become durable, completing asynchronously as a real commit does. Zero: at once.</summary>
    public TimeSpan Latency { get; set; }
    /// <summary>Event types whose append is accepted but then fails (after <see cref="Latency"/>), as a commit that fails does.</summary>
    public ConcurrentDictionary<string, bool> FailLate { get; } = new(StringComparer.Ordinal);

    /// <summary>Event types of each <see cref="AppendManyAsync"/> call, in call order (what shares one commit in the real log).</summary>
    public ConcurrentQueue<string[]> Groups { get; } = new();

    public async ValueTask<IReadOnlyList<string>> AppendManyAsync(IReadOnlyList<AuditRecord> records, CancellationToken cancellationToken = default)
    {
        Groups.Enqueue([.. records.Select(r => r.Type)]);
        if (Fail) throw new IOException("audit store unreachable");
        // All or none, as the real log's single commit.
        if (Latency > TimeSpan.Zero) await Task.Delay(Latency, cancellationToken);
        else await Task.Yield();
        if (records.Any(r => FailLate.ContainsKey(r.Type))) throw new IOException("audit commit failed");
        foreach (var r in records) Records.Enqueue(r);
        return [.. records.Select((_, i) => "evt_" + (Records.Count - records.Count + i + 1))];
    }

    public ValueTask<string> AppendAsync(AuditRecord record, CancellationToken cancellationToken = default)
    {
        if (Fail) throw new IOException("audit store unreachable");
        if (Latency > TimeSpan.Zero || !FailLate.IsEmpty) return CommitLaterAsync(record, cancellationToken);
        Records.Enqueue(record);
        return ValueTask.FromResult("evt_" + Records.Count);
    }

    private async ValueTask<string> CommitLaterAsync(AuditRecord record, CancellationToken cancellationToken)
    {
        if (Latency > TimeSpan.Zero) await Task.Delay(Latency, cancellationToken);
        else await Task.Yield();
        if (FailLate.ContainsKey(record.Type)) throw new IOException("audit commit failed");
        Records.Enqueue(record);
        return "evt_" + Records.Count;
    }
}

/// <summary>Blocks any text containing the word; redacts "alice@example.com" to a placeholder.</summary>
public sealed class WordGuards(string blockWord, bool blockInput = true) : IGuardPipeline
{
    public ValueTask<GuardVerdict> EvaluateAsync(string text, GuardContext context, CancellationToken cancellationToken = default)
    {
        if ((blockInput || context.Direction == GuardDirection.Output) && text.Contains(blockWord, StringComparison.Ordinal))
            return ValueTask.FromResult(new GuardVerdict { Action = GuardAction.Block, Text = text, Reasons = ["test-policy/deny-word"] });
        if (text.Contains("alice@example.com", StringComparison.Ordinal))
            return ValueTask.FromResult(new GuardVerdict { Action = GuardAction.Redact, Text = text.Replace("alice@example.com", "[EMAIL]"), Reasons = ["test-policy/pii.email"] });
        return ValueTask.FromResult(GuardVerdict.Allowed(text));
    }

    public IStreamingGuardSession BeginStream(GuardContext context) => new Session(blockWord);

    public string Restore(string text, GuardContext context) => text;

    private sealed class Session(string word) : IStreamingGuardSession
    {
        private string _seen = "";

        public GuardStreamStep Push(string chunk)
        {
            _seen += chunk;
            return _seen.Contains(word, StringComparison.Ordinal)
                ? new GuardStreamStep("", new GuardVerdict { Action = GuardAction.Block, Text = "", Reasons = ["test-policy/deny-word"] }, [])
                : new GuardStreamStep(chunk, null, []);
        }

        public GuardStreamStep Complete() => new("", null, []);
    }
}

public sealed class DenyingLimiter : IUsageLimiter
{
    public ValueTask<(IUsageReservation? Reservation, LimitDenial? Denial)> ReserveAsync(RequestIdentity identity, UsageEstimate estimate, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult<(IUsageReservation?, LimitDenial?)>((null, new LimitDenial("budget_tokens_day_key", "Daily token budget of the key is spent.", TimeSpan.FromSeconds(42))));
}

public sealed class CountingLimiter : IUsageLimiter
{
    private long _reserved, _reconciled, _released;
    public long Reserved => Interlocked.Read(ref _reserved);
    public long Reconciled => Interlocked.Read(ref _reconciled);
    public long Released => Interlocked.Read(ref _released);

    public ValueTask<(IUsageReservation? Reservation, LimitDenial? Denial)> ReserveAsync(RequestIdentity identity, UsageEstimate estimate, CancellationToken cancellationToken = default)
    {
        Interlocked.Add(ref _reserved, estimate.Tokens);
        return ValueTask.FromResult<(IUsageReservation?, LimitDenial?)>((new Reservation(this), null));
    }

    private sealed class Reservation(CountingLimiter owner) : IUsageReservation
    {
        public ValueTask ReconcileAsync(long actualTokens, decimal actualCost, CancellationToken cancellationToken = default)
        {
            Interlocked.Add(ref owner._reconciled, actualTokens);
            return ValueTask.CompletedTask;
        }

        public ValueTask ReleaseAsync(CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref owner._released);
            return ValueTask.CompletedTask;
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}

public sealed class FixedRetriever : IContextRetriever
{
    public Task<IReadOnlyList<RetrievedChunk>> RetrieveAsync(RequestIdentity identity, string query, int topK, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<RetrievedChunk>>([
            new RetrievedChunk { DocumentId = "handbook", ChunkId = "handbook#1", Connector = "docs", Classification = "internal", Text = "Refunds are issued within 14 days of a request.", Title = "Handbook" },
            new RetrievedChunk { DocumentId = "menu", ChunkId = "menu#1", Connector = "docs", Classification = "internal", Text = "The canteen serves soup on Fridays.", Title = "Menu" },
        ]);
}

/// <summary>Allows only tools named in the list; disallowed ones are removed or blocked.</summary>
public sealed class AllowListToolPolicy(string onDisallowed, params string[] allowed) : IToolCallPolicy
{
    public ProposedToolCallVerdict CheckProposed(RequestIdentity identity, string toolName, string argumentsJson) =>
        allowed.Contains(toolName) ? new(true, null) : new(false, $"test-agent/allow-list: {toolName}");

    public string OnDisallowed(RequestIdentity identity) => onDisallowed;
}

/// <summary>Captures every log line (formatted) so tests can prove no secret reaches a log.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    public ConcurrentQueue<string> Lines { get; } = new();
    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);
    public void Dispose() { }

    private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Lines.Enqueue($"{category}: {formatter(state, exception)} {exception}");
    }
}
