namespace Attest.Storage.Agents;

/// <summary>Schema of the agent runtime: approvals, break-glass sessions, agent mailboxes. Times are Unix milliseconds (UTC).</summary>
public sealed class AgentsMigrations : IMigrationSource
{
    private const string Tables = """
        CREATE TABLE agent_approvals (
            id TEXT PRIMARY KEY,
            tenant TEXT NOT NULL,
            agent TEXT NOT NULL,
            tool TEXT NOT NULL,
            args_hash TEXT NOT NULL,
            requester_key TEXT NOT NULL,
            requester_principal TEXT NULL,
            state TEXT NOT NULL,
            used BIGINT NOT NULL DEFAULT 0,
            approver TEXT NULL,
            approver_key TEXT NULL,
            reason TEXT NULL,
            rule TEXT NULL,
            arguments TEXT NULL,
            created_at BIGINT NOT NULL,
            expires_at BIGINT NOT NULL,
            decided_at BIGINT NULL,
            used_at BIGINT NULL
        );
        CREATE INDEX ix_agent_approvals_match ON agent_approvals (agent, tool, args_hash, requester_key);
        CREATE INDEX ix_agent_approvals_state ON agent_approvals (state, expires_at);
        CREATE TABLE agent_breakglass (
            id TEXT PRIMARY KEY,
            tenant TEXT NOT NULL,
            principal TEXT NOT NULL,
            reason TEXT NOT NULL,
            agent TEXT NULL,
            started_at BIGINT NOT NULL,
            expires_at BIGINT NOT NULL,
            ended_at BIGINT NULL,
            end_reason TEXT NULL,
            ended_by TEXT NULL
        );
        CREATE INDEX ix_agent_breakglass_open ON agent_breakglass (ended_at);
        CREATE TABLE agent_messages (
            seq {SEQ},
            id TEXT NOT NULL UNIQUE,
            tenant TEXT NOT NULL,
            sender TEXT NOT NULL,
            recipient TEXT NOT NULL,
            body TEXT NOT NULL,
            created_at BIGINT NOT NULL
        );
        CREATE INDEX ix_agent_messages_recipient ON agent_messages (recipient, seq);
        """;

    public IEnumerable<Migration> Migrations =>
    [
        new("agents", 1, "approvals, break-glass sessions and agent messages",
            Tables.Replace("{SEQ}", "INTEGER PRIMARY KEY AUTOINCREMENT", StringComparison.Ordinal),
            Tables.Replace("{SEQ}", "BIGSERIAL PRIMARY KEY", StringComparison.Ordinal)),
    ];
}
