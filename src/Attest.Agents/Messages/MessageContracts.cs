namespace Attest.Agents.Messages;

/// <summary>A validated message from one agent to another, held until the receiver fetches it.</summary>
public sealed record AgentMessage
{
    public required string Id { get; init; }
    public required string Tenant { get; init; }
    public required string From { get; init; }
    public required string To { get; init; }
    /// <summary>The envelope as JSON (validated against the receiver's message schema).</summary>
    public required string Body { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
}

/// <summary>Agent mailboxes. Thread-safe.</summary>
public interface IAgentMessageStore
{
    Task AddAsync(AgentMessage message, CancellationToken cancellationToken = default);
    /// <summary>Messages to <paramref name="agent"/> in arrival order, after the message id <paramref name="after"/> when given.</summary>
    Task<IReadOnlyList<AgentMessage>> ListAsync(string agent, string? after, int limit, CancellationToken cancellationToken = default);
}
