using Attest.Agents.Approvals;
using Dapper;

namespace Attest.Storage.Agents;

/// <summary>
/// Approvals in the shared database, so an approval created through one replica is decided and used through any
/// other. Every transition is a single conditional UPDATE, so concurrent deciders or consumers cannot both win.
/// </summary>
public sealed class SqlApprovalStore(AttestDatabase db) : IApprovalStore
{
    private const string Columns = "id, tenant, agent, tool, args_hash, requester_key, requester_principal, state, used, approver, approver_key, reason, rule, arguments, created_at, expires_at, decided_at, used_at";

    public async Task CreateAsync(Approval approval, CancellationToken cancellationToken = default)
    {
        var a = approval;
        await using var c = await db.OpenAsync(cancellationToken);
        await c.ExecuteAsync(new CommandDefinition($"""
            INSERT INTO agent_approvals ({Columns}) VALUES
            (@Id, @Tenant, @Agent, @Tool, @ArgsHash, @RequesterKey, @RequesterPrincipal, @State, 0, NULL, NULL, NULL, @Rule, @Arguments, @CreatedAt, @ExpiresAt, NULL, NULL)
            """, new
        {
            a.Id, a.Tenant, a.Agent, a.Tool, a.ArgsHash, RequesterKey = a.RequesterKey ?? "", a.RequesterPrincipal, a.State, a.Rule, a.Arguments,
            CreatedAt = a.CreatedAt.ToUnixTimeMilliseconds(), ExpiresAt = a.ExpiresAt.ToUnixTimeMilliseconds(),
        }, cancellationToken: cancellationToken));
    }

    public async Task<Approval?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var c = await db.OpenAsync(cancellationToken);
        var row = await c.QuerySingleOrDefaultAsync<Row>(new CommandDefinition($"SELECT {Columns} FROM agent_approvals WHERE id = @id", new { id }, cancellationToken: cancellationToken));
        return row?.ToApproval();
    }

    public async Task<IReadOnlyList<Approval>> ListAsync(string? state, int limit, CancellationToken cancellationToken = default)
    {
        await using var c = await db.OpenAsync(cancellationToken);
        var sql = state is null
            ? $"SELECT {Columns} FROM agent_approvals ORDER BY created_at DESC, id LIMIT @limit"
            : $"SELECT {Columns} FROM agent_approvals WHERE state = @state ORDER BY created_at DESC, id LIMIT @limit";
        var rows = await c.QueryAsync<Row>(new CommandDefinition(sql, new { state, limit = Math.Clamp(limit, 1, 1000) }, cancellationToken: cancellationToken));
        return [.. rows.Select(r => r.ToApproval())];
    }

    public async Task<bool> DecideAsync(string id, string state, string approver, string? approverKey, string reason, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        if (state is not (ApprovalStates.Granted or ApprovalStates.Denied)) throw new ArgumentException("state must be granted or denied", nameof(state));
        await using var c = await db.OpenAsync(cancellationToken);
        var n = await c.ExecuteAsync(new CommandDefinition("""
            UPDATE agent_approvals SET state = @state, approver = @approver, approver_key = @approverKey, reason = @reason, decided_at = @now
            WHERE id = @id AND state = 'pending' AND expires_at > @now
            """, new { id, state, approver, approverKey, reason, now = now.ToUnixTimeMilliseconds() }, cancellationToken: cancellationToken));
        return n == 1;
    }

    public async Task<bool> ConsumeAsync(string id, string agent, string tool, string argsHash, string? requesterKey, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var c = await db.OpenAsync(cancellationToken);
        var n = await c.ExecuteAsync(new CommandDefinition("""
            UPDATE agent_approvals SET used = 1, used_at = @now
            WHERE id = @id AND state = 'granted' AND used = 0 AND expires_at > @now
              AND agent = @agent AND tool = @tool AND args_hash = @argsHash AND requester_key = @requesterKey
            """, new { id, agent, tool, argsHash, requesterKey = requesterKey ?? "", now = now.ToUnixTimeMilliseconds() }, cancellationToken: cancellationToken));
        return n == 1;
    }

    public async Task<Approval?> FindLiveAsync(string agent, string tool, string argsHash, string? requesterKey, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var c = await db.OpenAsync(cancellationToken);
        var row = await c.QueryFirstOrDefaultAsync<Row>(new CommandDefinition($"""
            SELECT {Columns} FROM agent_approvals
            WHERE agent = @agent AND tool = @tool AND args_hash = @argsHash AND requester_key = @requesterKey
              AND state IN ('pending', 'granted') AND used = 0 AND expires_at > @now
            ORDER BY CASE WHEN state = 'granted' THEN 0 ELSE 1 END, created_at DESC LIMIT 1
            """, new { agent, tool, argsHash, requesterKey = requesterKey ?? "", now = now.ToUnixTimeMilliseconds() }, cancellationToken: cancellationToken));
        return row?.ToApproval();
    }

    public async Task<IReadOnlyList<Approval>> ExpireDueAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var c = await db.OpenAsync(cancellationToken);
        var due = (await c.QueryAsync<Row>(new CommandDefinition($"""
            SELECT {Columns} FROM agent_approvals WHERE state IN ('pending', 'granted') AND used = 0 AND expires_at <= @now
            """, new { now = now.ToUnixTimeMilliseconds() }, cancellationToken: cancellationToken))).ToList();
        var expired = new List<Approval>();
        foreach (var r in due)
        {
            // Per row and conditional: only the replica whose UPDATE wins reports (and audits) the expiry.
            var n = await c.ExecuteAsync(new CommandDefinition(
                "UPDATE agent_approvals SET state = 'expired' WHERE id = @id AND state IN ('pending', 'granted') AND used = 0",
                new { id = r.id }, cancellationToken: cancellationToken));
            if (n == 1) expired.Add(r.ToApproval() with { State = ApprovalStates.Expired });
        }
        return expired;
    }

#pragma warning disable IDE1006, CA1707 // column names as Dapper maps them
    private sealed record Row(string id, string tenant, string agent, string tool, string args_hash, string requester_key, string? requester_principal,
        string state, long used, string? approver, string? approver_key, string? reason, string? rule, string? arguments,
        long created_at, long expires_at, long? decided_at, long? used_at)
#pragma warning restore IDE1006, CA1707
    {
        public Approval ToApproval() => new()
        {
            Id = id, Tenant = tenant, Agent = agent, Tool = tool, ArgsHash = args_hash, RequesterKey = requester_key, RequesterPrincipal = requester_principal,
            State = state, Used = used != 0, Approver = approver, ApproverKey = approver_key, Reason = reason, Rule = rule, Arguments = arguments,
            CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(created_at), ExpiresAt = DateTimeOffset.FromUnixTimeMilliseconds(expires_at),
            DecidedAt = decided_at is { } d ? DateTimeOffset.FromUnixTimeMilliseconds(d) : null,
            UsedAt = used_at is { } u ? DateTimeOffset.FromUnixTimeMilliseconds(u) : null,
        };
    }
}
