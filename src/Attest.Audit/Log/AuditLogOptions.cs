using Attest.Audit.Checkpoints;

namespace Attest.Audit.Log;

/// <summary>How the audit log batches, signs and encrypts. Immutable.</summary>
public sealed record AuditLogOptions
{
    /// <summary>Signed-note origin line of checkpoints. Default <c>attest</c>.</summary>
    public string Origin { get; init; } = "attest";
    /// <summary>Sign a checkpoint when this many entries are past the last one. Default 1000; minimum 1.</summary>
    public int CheckpointEvery { get; init; } = 1000;
    /// <summary>Private key that signs checkpoints.</summary>
    public required CheckpointKey SigningKey { get; init; }
    /// <summary>32-byte master key that wraps per-subject keys.</summary>
    public required byte[] MasterKey { get; init; }
    /// <summary>Most events committed in one transaction. Default 1024.</summary>
    public int MaxBatch { get; init; } = 1024;
    /// <summary>
    /// How long a batch may stay open to gather concurrent callers when it is smaller than the
    /// previous one (and no commit is running). Default 1 ms; zero commits at once. A lone caller
    /// never waits: the previous batch then had one event.
    /// </summary>
    public TimeSpan BatchDelay { get; init; } = TimeSpan.FromMilliseconds(1);
    /// <summary>Most events waiting for the writer before appenders wait. Default 65,536.</summary>
    public int QueueCapacity { get; init; } = 65_536;
    public TimeProvider Time { get; init; } = TimeProvider.System;
}

/// <summary>Raised to appenders when their event could not be made durable; callers fail closed.</summary>
public sealed class AuditWriteException(string message, Exception? inner = null) : Exception(message, inner);
