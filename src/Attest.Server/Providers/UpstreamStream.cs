using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;

namespace Attest.Server.Providers;

/// <summary>
/// An upstream stream that has produced its first chunk (and so can no longer be retried). Each
/// further chunk must arrive within the target's timeout. Read once.
/// </summary>
public sealed class UpstreamStream : IAsyncDisposable
{
    private readonly IAsyncEnumerator<JsonObject> _chunks;
    private readonly CancellationTokenSource _cts;
    private readonly TimeSpan _idleTimeout;
    private readonly string? _apiKey;

    private UpstreamStream(IAsyncEnumerator<JsonObject> chunks, CancellationTokenSource cts, TimeSpan idleTimeout, string? apiKey)
    {
        _chunks = chunks;
        _cts = cts;
        _idleTimeout = idleTimeout;
        _apiKey = apiKey;
    }

    internal static async Task<UpstreamStream> OpenAsync(IModelProvider provider, ProviderCall call, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        var chunks = provider.ChatStreamAsync(call, cts.Token).GetAsyncEnumerator(cts.Token);
        try
        {
            if (!await chunks.MoveNextAsync()) throw new UpstreamException("the provider closed the stream without data", null, retryable: true);
        }
        catch
        {
            await chunks.DisposeAsync();
            cts.Dispose();
            throw;
        }
        return new UpstreamStream(chunks, cts, timeout, call.ApiKey);
    }

    /// <summary>The chunks, starting with the first; an upstream failure after the first chunk ends the sequence with an error message.</summary>
    public async IAsyncEnumerable<(JsonObject? Chunk, string? Error)> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        yield return (_chunks.Current, null);
        while (true)
        {
            _cts.CancelAfter(_idleTimeout);
            string? error = null;
            bool more;
            try
            {
                more = await _chunks.MoveNextAsync();
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                more = false;
                error = "the provider stopped sending (timeout)";
            }
            catch (UpstreamException e)
            {
                more = false;
                error = UpstreamHttp.Scrub(e.Message, _apiKey);
            }
            catch (HttpRequestException e)
            {
                more = false;
                error = $"the provider connection failed ({e.HttpRequestError})";
            }
            catch (IOException)
            {
                more = false;
                error = "the provider connection was lost";
            }
            if (error is not null) { yield return (null, error); yield break; }
            if (!more) yield break;
            yield return (_chunks.Current, null);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _chunks.DisposeAsync();
        _cts.Dispose();
    }
}
