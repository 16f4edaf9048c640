using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Sockets;

namespace Attest.Server.Limits;

/// <summary>
/// A small pooled RESP2 client for the few commands the limiter needs (there is no usable .NET Redis
/// client in this build). Connections are rented one command at a time; a connection that saw an
/// I/O error or timeout is dropped. Every failure to reach Redis surfaces as
/// <see cref="LimitsUnavailableException"/>. Endpoint: <c>host:port</c> or <c>redis://[:password@]host:port</c>. Thread-safe.
/// </summary>
public sealed class RedisClient : IAsyncDisposable
{
    private readonly string _host;
    private readonly int _port;
    private readonly string? _password;
    private readonly TimeSpan _timeout;
    private readonly SemaphoreSlim _slots;
    private readonly ConcurrentBag<RespConnection> _idle = [];
    private volatile bool _disposed;

    public RedisClient(string endpoint, int maxConnections = 32, TimeSpan? timeout = null)
    {
        (_host, _port, _password) = Parse(endpoint);
        _timeout = timeout ?? TimeSpan.FromSeconds(2);
        _slots = new SemaphoreSlim(maxConnections, maxConnections);
        Endpoint = $"{_host}:{_port}";
    }

    /// <summary><c>host:port</c> (no password).</summary>
    public string Endpoint { get; }

    public async Task<object?> ExecuteAsync(IReadOnlyList<string> args, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(_timeout);
        try { await _slots.WaitAsync(cts.Token); }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new LimitsUnavailableException($"no Redis connection free within {_timeout.TotalSeconds:0.#}s");
        }
        RespConnection? conn = null;
        try
        {
            if (!_idle.TryTake(out conn)) conn = await OpenAsync(cts.Token);
            var reply = await conn.ExecuteAsync(args, cts.Token);
            _idle.Add(conn);
            conn = null;
            return reply;
        }
        catch (RedisErrorException)
        {
            // The connection is still in sync after an error reply: keep it.
            if (conn is not null) _idle.Add(conn);
            conn = null;
            throw;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new LimitsUnavailableException($"Redis at {Endpoint} did not answer within {_timeout.TotalSeconds:0.#}s");
        }
        catch (Exception e) when (e is IOException or SocketException or FormatException)
        {
            throw new LimitsUnavailableException($"Redis at {Endpoint} is unreachable: {e.Message}", e);
        }
        finally
        {
            if (conn is not null) await conn.DisposeAsync();
            _slots.Release();
        }
    }

    private async Task<RespConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var c = await RespConnection.ConnectAsync(_host, _port, cancellationToken);
        if (_password is null) return c;
        try
        {
            await c.ExecuteAsync(["AUTH", _password], cancellationToken);
            return c;
        }
        catch
        {
            await c.DisposeAsync();
            throw;
        }
    }

    private static (string Host, int Port, string? Password) Parse(string endpoint)
    {
        if (endpoint.StartsWith("redis://", StringComparison.OrdinalIgnoreCase))
        {
            var u = new Uri(endpoint);
            var pw = u.UserInfo.Length == 0 ? null : Uri.UnescapeDataString(u.UserInfo[(u.UserInfo.IndexOf(':', StringComparison.Ordinal) + 1)..]);
            return (u.Host, u.Port > 0 ? u.Port : 6379, pw);
        }
        var colon = endpoint.LastIndexOf(':');
        if (colon < 0) return (endpoint, 6379, null);
        if (!int.TryParse(endpoint.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is <= 0 or > 65535)
            throw new FormatException($"'{endpoint}' is not host:port");
        return (endpoint[..colon], port, null);
    }

    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        while (_idle.TryTake(out var c)) await c.DisposeAsync();
        _slots.Dispose();
    }
}
