using System.Collections.Concurrent;
using Attest.Core.Audit;

namespace Attest.Server.Tests.Keys;

/// <summary>An audit log that keeps records in memory and can be told to fail.</summary>
internal sealed class RecordingAuditLog : IAuditLog
{
    private readonly ConcurrentQueue<AuditRecord> _records = new();
    public bool Fail { get; set; }
    public IReadOnlyList<AuditRecord> Records => [.. _records];

    public ValueTask<string> AppendAsync(AuditRecord record, CancellationToken cancellationToken = default)
    {
        if (Fail) throw new InvalidOperationException("audit store unavailable");
        _records.Enqueue(record);
        return ValueTask.FromResult(Guid.NewGuid().ToString("n"));
    }
}
