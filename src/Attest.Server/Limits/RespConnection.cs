using System.Buffers;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Attest.Server.Limits;

/// <summary>An error reply from Redis (<c>-ERR …</c>, <c>-NOSCRIPT …</c>).</summary>
public sealed class RedisErrorException(string message) : Exception(message);

/// <summary>
/// One RESP2 connection over a socket: writes a command as an array of bulk strings and reads one
/// reply (simple string, error, integer, bulk string or array). Not thread-safe: one command at a
/// time, which <see cref="RedisClient"/> guarantees by renting connections from its pool.
/// </summary>
internal sealed class RespConnection : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly byte[] _read = new byte[8192];
    private int _pos, _len;
    private readonly ArrayBufferWriter<byte> _write = new(1024);

    private RespConnection(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
    }

    public static async Task<RespConnection> ConnectAsync(string host, int port, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(host, port, cancellationToken);
            return new RespConnection(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Sends one command and returns its reply: <c>string</c>, <c>long</c>, <c>object?[]</c> or null; error replies throw <see cref="RedisErrorException"/>.</summary>
    public async Task<object?> ExecuteAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        _write.ResetWrittenCount();
        Append($"*{args.Count}\r\n");
        foreach (var a in args)
        {
            Append($"${Encoding.UTF8.GetByteCount(a)}\r\n");
            Append(a);
            Append("\r\n");
        }
        await _stream.WriteAsync(_write.WrittenMemory, cancellationToken);
        return await ReadReplyAsync(cancellationToken);
    }

    private void Append(string s)
    {
        var span = _write.GetSpan(Encoding.UTF8.GetMaxByteCount(s.Length));
        _write.Advance(Encoding.UTF8.GetBytes(s, span));
    }

    private async Task<object?> ReadReplyAsync(CancellationToken cancellationToken)
    {
        var line = await ReadLineAsync(cancellationToken);
        if (line.Length == 0) throw new IOException("empty RESP reply line");
        var body = line[1..];
        switch (line[0])
        {
            case '+': return body;
            case '-': throw new RedisErrorException(body);
            case ':': return long.Parse(body, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            case '$':
            {
                var n = int.Parse(body, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
                if (n < 0) return null;
                var bytes = new byte[n + 2];
                await ReadExactAsync(bytes, cancellationToken);
                return Encoding.UTF8.GetString(bytes, 0, n);
            }
            case '*':
            {
                var n = int.Parse(body, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
                if (n < 0) return null;
                var items = new object?[n];
                for (int i = 0; i < n; i++)
                {
                    try { items[i] = await ReadReplyAsync(cancellationToken); }
                    catch (RedisErrorException e) { items[i] = e; } // an error inside an array is a value, not a failure of the read
                }
                return items;
            }
            default: throw new IOException($"unexpected RESP type byte '{line[0]}'");
        }
    }

    private async Task<string> ReadLineAsync(CancellationToken cancellationToken)
    {
        var sb = new StringBuilder();
        while (true)
        {
            if (_pos == _len) await FillAsync(cancellationToken);
            var span = _read.AsSpan(_pos, _len - _pos);
            var nl = span.IndexOf((byte)'\n');
            if (nl < 0)
            {
                sb.Append(Encoding.UTF8.GetString(span));
                _pos = _len;
                continue;
            }
            sb.Append(Encoding.UTF8.GetString(span[..nl]));
            _pos += nl + 1;
            if (sb.Length > 0 && sb[^1] == '\r') sb.Length--;
            return sb.ToString();
        }
    }

    private async Task ReadExactAsync(byte[] into, CancellationToken cancellationToken)
    {
        int done = 0;
        while (done < into.Length)
        {
            if (_pos == _len) await FillAsync(cancellationToken);
            var n = Math.Min(into.Length - done, _len - _pos);
            Buffer.BlockCopy(_read, _pos, into, done, n);
            _pos += n;
            done += n;
        }
    }

    private async Task FillAsync(CancellationToken cancellationToken)
    {
        _pos = 0;
        _len = await _stream.ReadAsync(_read, cancellationToken);
        if (_len == 0) throw new IOException("Redis closed the connection");
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return _stream.DisposeAsync();
    }
}
