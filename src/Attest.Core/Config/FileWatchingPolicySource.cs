using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Attest.Core.Config;

/// <summary>
/// Serves the snapshot of one config file and hot-reloads it: a <see cref="FileSystemWatcher"/> plus a
/// polling fallback trigger a debounced reload; a valid new version is swapped in atomically and
/// <see cref="Changed"/> raised; an invalid one is logged, <see cref="Rejected"/> raised, and the previous
/// snapshot keeps serving. Readers always see a complete snapshot. Thread-safe; dispose to stop watching.
/// </summary>
public sealed partial class FileWatchingPolicySource : IReloadingPolicySource
{
    private readonly Lock _reloadLock = new();
    private readonly string _displayName;
    private readonly PolicyReloadOptions _options;
    private readonly ILogger _logger;
    private readonly FileSystemWatcher? _watcher;
    private readonly ITimer _debounce;
    private readonly ITimer? _poll;
    private PolicySnapshot _current;
    private string? _lastRejectedHash;
    private (DateTime, long) _lastStat;
    private volatile bool _disposed;

    /// <summary>Loads <paramref name="path"/> and starts watching it. Throws <see cref="ConfigException"/> when it is invalid.</summary>
    public FileWatchingPolicySource(string path, PolicyReloadOptions? options = null, ILogger? logger = null)
    {
        _displayName = path;
        Path = System.IO.Path.GetFullPath(path);
        _options = options ?? new PolicyReloadOptions();
        _logger = logger ?? NullLogger.Instance;
        _lastStat = Stat();
        _current = ConfigLoader.LoadText(ReadText() ?? throw new ConfigException($"{path}:1:1: cannot read the file"), _displayName, Path);
        _debounce = _options.Time.CreateTimer(_ => Reload(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        if (_options.PollInterval != Timeout.InfiniteTimeSpan)
            _poll = _options.Time.CreateTimer(_ => Poll(), null, _options.PollInterval, _options.PollInterval);
        if (_options.UseFileSystemWatcher)
        {
            try
            {
                _watcher = new FileSystemWatcher(System.IO.Path.GetDirectoryName(Path)!, System.IO.Path.GetFileName(Path))
                {
                    NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.Size | NotifyFilters.CreationTime,
                };
                _watcher.Changed += OnFileEvent;
                _watcher.Created += OnFileEvent;
                _watcher.Renamed += OnFileEvent;
                _watcher.EnableRaisingEvents = true;
            }
            catch (Exception e) when (e is IOException or ArgumentException or PlatformNotSupportedException)
            {
                // Polling still notices changes (e.g. when the inotify watch limit is reached).
                LogWatcherUnavailable(_logger, Path, e.GetType().Name);
                _watcher?.Dispose();
                _watcher = null;
            }
        }
    }

    public string Path { get; }
    public PolicySnapshot Current => Volatile.Read(ref _current);
    public event Action<PolicySnapshot>? Changed;
    public event Action<ConfigRejection>? Rejected;

    public ConfigReloadResult Reload()
    {
        if (_disposed) return ConfigReloadResult.Unchanged;
        lock (_reloadLock)
        {
            _lastStat = Stat();
            var text = ReadText();
            // An empty read is usually an editor truncating before it writes; the write's own event follows.
            if (string.IsNullOrWhiteSpace(text))
            {
                LogUnreadable(_logger, Path);
                return ConfigReloadResult.Unreadable;
            }
            var hash = ConfigLoader.Hash(text);
            if (hash == Current.ContentHash) return ConfigReloadResult.Unchanged;
            if (hash == _lastRejectedHash) return ConfigReloadResult.Rejected;
            var document = ConfigLoader.Read(text, _displayName);
            var errors = ConfigLoader.Validate(document);
            if (errors.Count > 0)
            {
                _lastRejectedHash = hash;
                LogRejected(_logger, Path, hash, errors.Count, Current.ContentHash);
                foreach (var error in errors) LogRejectedError(_logger, error.ToString());
                Raise(Rejected, new ConfigRejection(hash, Path, errors, _options.Time.GetUtcNow()));
                return ConfigReloadResult.Rejected;
            }
            var snapshot = ConfigLoader.Compile(document, Path);
            Volatile.Write(ref _current, snapshot);
            _lastRejectedHash = null;
            LogApplied(_logger, Path, hash);
            Raise(Changed, snapshot);
            return ConfigReloadResult.Applied;
        }
    }

    public void Dispose()
    {
        _disposed = true;
        _watcher?.Dispose();
        _debounce.Dispose();
        _poll?.Dispose();
    }

    private void OnFileEvent(object sender, FileSystemEventArgs e)
    {
        if (!_disposed) _debounce.Change(_options.Debounce, Timeout.InfiniteTimeSpan);
    }

    private void Poll()
    {
        if (!_disposed && Stat() != _lastStat) _debounce.Change(_options.Debounce, Timeout.InfiniteTimeSpan);
    }

    private void Raise<T>(Action<T>? handlers, T value)
    {
        if (handlers is null) return;
        foreach (var handler in handlers.GetInvocationList().Cast<Action<T>>())
        {
            // A subscriber's fault must not stop reloads or other subscribers.
            try { handler(value); }
            catch (Exception e) { LogSubscriberFailed(_logger, e.GetType().Name); }
        }
    }

    private string? ReadText()
    {
        try { return File.ReadAllText(Path); }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    private (DateTime, long) Stat()
    {
        var info = new FileInfo(Path);
        return info.Exists ? (info.LastWriteTimeUtc, info.Length) : (default, -1);
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Config {Path} applied: version {Hash}")]
    private static partial void LogApplied(ILogger logger, string path, string hash);
    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "Config {Path} rejected: version {Hash} has {Count} errors; version {Current} keeps serving")]
    private static partial void LogRejected(ILogger logger, string path, string hash, int count, string current);
    [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, Message = "  {Error}")]
    private static partial void LogRejectedError(ILogger logger, string error);
    [LoggerMessage(EventId = 2004, Level = LogLevel.Warning, Message = "Config {Path} could not be read; the current version keeps serving")]
    private static partial void LogUnreadable(ILogger logger, string path);
    [LoggerMessage(EventId = 2005, Level = LogLevel.Warning, Message = "File watching is unavailable for {Path} ({Reason}); polling only")]
    private static partial void LogWatcherUnavailable(ILogger logger, string path, string reason);
    [LoggerMessage(EventId = 2006, Level = LogLevel.Error, Message = "A config change subscriber failed ({Exception})")]
    private static partial void LogSubscriberFailed(ILogger logger, string exception);
}
