using Attest.Agents.Messages;
using Dapper;

namespace Attest.Storage.Agents;

/// <summary>Agent mailboxes in the shared database, read in arrival order.</summary>
public sealed class SqlAgentMessageStore(AttestDatabase db) : IAgentMessageStore
{
    public async Task AddAsync(AgentMessage message, CancellationToken cancellationToken = default)
    {
        var m = message;
        await using var c = await db.OpenAsync(cancellationToken);
        await c.ExecuteAsync(new CommandDefinition(
            "INSERT INTO agent_messages (id, tenant, sender, recipient, body, created_at) VALUES (@Id, @Tenant, @From, @To, @Body, @CreatedAt)",
            new { m.Id, m.Tenant, m.From, m.To, m.Body, CreatedAt = m.CreatedAt.ToUnixTimeMilliseconds() }, cancellationToken: cancellationToken));
    }

    public async Task<IReadOnlyList<AgentMessage>> ListAsync(string agent, string? after, int limit, CancellationToken cancellationToken = default)
    {
        await using var c = await db.OpenAsync(cancellationToken);
        var rows = await c.QueryAsync<(string Id, string Tenant, string Sender, string Recipient, string Body, long CreatedAt)>(new CommandDefinition("""
            SELECT id, tenant, sender, recipient, body, created_at FROM agent_messages
            WHERE recipient = @agent AND seq > COALESCE((SELECT seq FROM agent_messages WHERE id = @after), 0)
            ORDER BY seq LIMIT @limit
            """, new { agent, after = after ?? "", limit = Math.Clamp(limit, 1, 500) }, cancellationToken: cancellationToken));
        return [.. rows.Select(r => new AgentMessage
        {
            Id = r.Id, Tenant = r.Tenant, From = r.Sender, To = r.Recipient, Body = r.Body, CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(r.CreatedAt),
        })];
    }
}
