using Attest.Agents.BreakGlass;
using Dapper;

namespace Attest.Storage.Agents;

/// <summary>Break-glass sessions in the shared database; ending is a conditional UPDATE so exactly one caller records it.</summary>
public sealed class SqlBreakGlassStore(AttestDatabase db) : IBreakGlassStore
{
    private const string Columns = "id, tenant, principal, reason, agent, started_at, expires_at, ended_at, end_reason, ended_by";

    public async Task CreateAsync(BreakGlassSession session, CancellationToken cancellationToken = default)
    {
        var s = session;
        await using var c = await db.OpenAsync(cancellationToken);
        await c.ExecuteAsync(new CommandDefinition($"INSERT INTO agent_breakglass ({Columns}) VALUES (@Id, @Tenant, @Principal, @Reason, @Agent, @StartedAt, @ExpiresAt, NULL, NULL, NULL)",
            new { s.Id, s.Tenant, s.Principal, s.Reason, s.Agent, StartedAt = s.StartedAt.ToUnixTimeMilliseconds(), ExpiresAt = s.ExpiresAt.ToUnixTimeMilliseconds() },
            cancellationToken: cancellationToken));
    }

    public async Task<IReadOnlyList<BreakGlassSession>> OpenAsync(CancellationToken cancellationToken = default)
    {
        await using var c = await db.OpenAsync(cancellationToken);
        var rows = await c.QueryAsync<Row>(new CommandDefinition($"SELECT {Columns} FROM agent_breakglass WHERE ended_at IS NULL ORDER BY started_at", cancellationToken: cancellationToken));
        return [.. rows.Select(r => r.ToSession())];
    }

    public async Task<BreakGlassSession?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var c = await db.OpenAsync(cancellationToken);
        var row = await c.QuerySingleOrDefaultAsync<Row>(new CommandDefinition($"SELECT {Columns} FROM agent_breakglass WHERE id = @id", new { id }, cancellationToken: cancellationToken));
        return row?.ToSession();
    }

    public async Task<bool> EndAsync(string id, DateTimeOffset at, string endReason, string? endedBy, CancellationToken cancellationToken = default)
    {
        await using var c = await db.OpenAsync(cancellationToken);
        return await c.ExecuteAsync(new CommandDefinition(
            "UPDATE agent_breakglass SET ended_at = @at, end_reason = @endReason, ended_by = @endedBy WHERE id = @id AND ended_at IS NULL",
            new { id, at = at.ToUnixTimeMilliseconds(), endReason, endedBy }, cancellationToken: cancellationToken)) == 1;
    }

#pragma warning disable IDE1006, CA1707
    private sealed record Row(string id, string tenant, string principal, string reason, string? agent, long started_at, long expires_at,
        long? ended_at, string? end_reason, string? ended_by)
#pragma warning restore IDE1006, CA1707
    {
        public BreakGlassSession ToSession() => new()
        {
            Id = id, Tenant = tenant, Principal = principal, Reason = reason, Agent = agent,
            StartedAt = DateTimeOffset.FromUnixTimeMilliseconds(started_at), ExpiresAt = DateTimeOffset.FromUnixTimeMilliseconds(expires_at),
            EndedAt = ended_at is { } e ? DateTimeOffset.FromUnixTimeMilliseconds(e) : null, EndReason = end_reason, EndedBy = ended_by,
        };
    }
}
