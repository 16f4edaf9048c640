using Microsoft.Extensions.Logging;

namespace Attest.Core.Config;

/// <summary>Creates policy sources.</summary>
public static class PolicySources
{
    /// <summary>
    /// Loads and validates a file and keeps watching it: a valid change is applied without restart,
    /// an invalid one is rejected and the previous snapshot keeps serving. Dispose the result to stop
    /// watching. Throws <see cref="ConfigException"/> (every error as <c>file:line:col: message</c>)
    /// when the file is invalid at start.
    /// </summary>
    public static FileWatchingPolicySource FromFile(string path, PolicyReloadOptions? options = null, ILogger? logger = null) =>
        new(path, options, logger);
}

/// <summary>How a <see cref="FileWatchingPolicySource"/> notices changes. Immutable.</summary>
public sealed record PolicyReloadOptions
{
    /// <summary>Quiet time after the last file event before reloading, so an editor's several writes apply once. Default 250 ms.</summary>
    public TimeSpan Debounce { get; init; } = TimeSpan.FromMilliseconds(250);
    /// <summary>Interval of the polling fallback (for file systems without change notifications). Default 2 s; <see cref="Timeout.InfiniteTimeSpan"/> turns it off.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(2);
    /// <summary>Use <see cref="FileSystemWatcher"/>. Default true.</summary>
    public bool UseFileSystemWatcher { get; init; } = true;
    /// <summary>Clock for timers and rejection times. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;
}

/// <summary>A config version that failed validation on reload and was not applied.</summary>
/// <param name="ContentHash">SHA-256 of the rejected text.</param>
/// <param name="Path">Full path of the config file.</param>
/// <param name="Errors">Every error, <c>file:line:col: message</c>; never a secret's value.</param>
/// <param name="At">When it was rejected.</param>
public sealed record ConfigRejection(string ContentHash, string Path, IReadOnlyList<ConfigError> Errors, DateTimeOffset At);

/// <summary>Outcome of one reload attempt.</summary>
public enum ConfigReloadResult
{
    /// <summary>The file's content is the current snapshot's.</summary>
    Unchanged,
    /// <summary>A new snapshot became current.</summary>
    Applied,
    /// <summary>The file is invalid; the previous snapshot keeps serving.</summary>
    Rejected,
    /// <summary>The file could not be read (e.g. mid-replace); the previous snapshot keeps serving and the next event retries.</summary>
    Unreadable,
}

/// <summary>A policy source backed by a file that reloads on change. Thread-safe; dispose to stop watching.</summary>
public interface IReloadingPolicySource : IPolicySource, IDisposable
{
    /// <summary>Full path of the watched file.</summary>
    string Path { get; }
    /// <summary>Raised when a changed file fails validation (the previous snapshot keeps serving).</summary>
    event Action<ConfigRejection>? Rejected;
    /// <summary>Reads the file now and applies it when valid and different. Safe to call from any thread.</summary>
    ConfigReloadResult Reload();
}
