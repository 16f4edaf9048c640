using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Attest.Core.Retrieval;
using Attest.Server.Providers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Attest.Server.Gateway.Stages;

/// <summary>
/// When the request asks for context (<c>"attest": {"retrieve": {"top_k": 4}}</c> in the body, or the
/// <c>x-attest-retrieve: 4</c> header), retrieves for the last user message as the caller (needs the
/// <c>retrieve</c> scope) and injects a system message with numbered citations <c>[1]</c>, <c>[2]</c>…
/// </summary>
internal sealed partial class RetrievalStage(IServiceProvider services, GatewayOptions options, ILogger<RetrievalStage> logger) : IChatStage
{
    public const string Header = "x-attest-retrieve";
    private readonly IContextRetriever? _retriever = services.GetService<IContextRetriever>();

    public int Order => 300;

    public async ValueTask<ChatOutcome> InvokeAsync(ChatExchange x, ChatNext next, CancellationToken cancellationToken)
    {
        var (requested, topK, error) = Requested(x);
        if (error is not null) return ChatOutcome.Denied(error);
        if (!requested) return await next(x, cancellationToken);
        if (!x.Identity.Scopes.Contains("retrieve", StringComparer.Ordinal)) return ChatOutcome.Denied(GatewayErrors.InsufficientScope("retrieve"));
        if (_retriever is null) return ChatOutcome.Denied(GatewayErrors.RetrievalNotConfigured());
        IReadOnlyList<RetrievedChunk> chunks;
        try
        {
            chunks = await _retriever.RetrieveAsync(x.Identity, ChatText.LastUser(x.Body), topK, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Fail closed: a request that asked for permission-checked context is not answered without it.
            LogRetrievalFailed(e.GetType().Name);
            return ChatOutcome.Denied(GatewayErrors.RetrievalUnavailable());
        }
        x.Attributes["retrieved_chunks"] = chunks.Count.ToString(CultureInfo.InvariantCulture);
        if (chunks.Count > 0)
        {
            x.Attributes["retrieved_ids"] = string.Join(',', chunks.Take(20).Select(c => c.ChunkId));
            var message = new JsonObject { ["role"] = "system", ["content"] = ContextMessage(chunks) };
            var messages = x.Body["messages"]!.AsArray();
            var at = 0;
            while (at < messages.Count && messages[at]?["role"]?.GetValue<string>() is "system" or "developer") at++;
            messages.Insert(at, message);
            x.InjectedMessages.Add(message);
        }
        return await next(x, cancellationToken);
    }

    internal static string ContextMessage(IReadOnlyList<RetrievedChunk> chunks)
    {
        var sb = new StringBuilder("Answer using the context below. Cite sources by their number, e.g. [1].\n");
        for (var i = 0; i < chunks.Count; i++)
        {
            var c = chunks[i];
            var text = c.Text.ReplaceLineEndings(" ").Trim();
            sb.Append(CultureInfo.InvariantCulture, $"[{i + 1}] {text} (source: {c.Title ?? c.DocumentId})\n");
        }
        return sb.ToString();
    }

    private (bool Requested, int TopK, GatewayError? Error) Requested(ChatExchange x)
    {
        int? topK = null;
        var requested = false;
        if (x.Extension?["retrieve"] is { } retrieve)
        {
            requested = retrieve is not JsonValue v || !v.TryGetValue<bool>(out var b) || b;
            if (retrieve is JsonObject ro && ro["top_k"] is JsonValue k)
            {
                if (!k.TryGetValue<int>(out var n) || n is < 1 or > 50)
                    return (false, 0, GatewayErrors.InvalidParameter("attest.retrieve.top_k", "'attest.retrieve.top_k' must be an integer from 1 to 50."));
                topK = n;
            }
        }
        else if (x.Http.Request.Headers[Header].FirstOrDefault() is { Length: > 0 } header)
        {
            if (!int.TryParse(header, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n is < 1 or > 50)
                return (false, 0, GatewayErrors.InvalidParameter(Header, $"The '{Header}' header must be an integer from 1 to 50."));
            requested = true;
            topK = n;
        }
        return (requested, topK ?? Math.Clamp(options.DefaultRetrieveTopK, 1, 50), null);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Context retrieval failed ({ExceptionType}); request denied")]
    private partial void LogRetrievalFailed(string exceptionType);
}
