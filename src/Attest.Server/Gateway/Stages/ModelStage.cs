namespace Attest.Server.Gateway.Stages;

/// <summary>Resolves the alias: known (404), a chat model, allowed for the key (403), pinned when policy requires (403).</summary>
internal sealed class ModelStage : IChatStage
{
    public int Order => 100;

    public ValueTask<ChatOutcome> InvokeAsync(ChatExchange x, ChatNext next, CancellationToken cancellationToken)
    {
        var (model, error) = ModelAccess.Resolve(x.Policy, x.Key, x.Alias, "chat");
        if (error is not null) return ValueTask.FromResult(ChatOutcome.Denied(error));
        x.Model = model;
        return next(x, cancellationToken);
    }
}
