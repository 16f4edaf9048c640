using System.Security.Cryptography;
using Attest.Agents.Gate;
using Attest.Core.Audit;
using Attest.Core.Config;

namespace Attest.Agents.BreakGlass;

/// <summary>Outcome of start/end: ok with the session, or a stable error code and HTTP status.</summary>
public sealed record BreakGlassResult(bool Ok, BreakGlassSession? Session, int HttpStatus = 200, string? Code = null, string? Message = null);

/// <summary>
/// Starts and ends break-glass sessions. Only principals with <c>breakGlass.adminRole</c> may start or end one;
/// a session lasts at most <c>breakGlass.maxDuration</c> and expires by itself (checked on every use and by the
/// host's sweep, against the injected clock). Start, end and expiry are audit events and alerts; a failed alert is
/// recorded on the event. Thread-safe.
/// </summary>
public sealed class BreakGlassService(IBreakGlassStore store, IPolicySource policy, IAuditLog audit, TimeProvider time, IBreakGlassAlertSink? alerts = null)
{
    public async Task<BreakGlassResult> StartAsync(string? principal, string? reason, string? duration, string? agent, CancellationToken cancellationToken)
    {
        var snapshot = policy.Current;
        var cfg = snapshot.Config.BreakGlass;
        if (!IsAdmin(snapshot, principal, out var p)) return Fail(403, GateCodes.NotAdmin, $"principal '{principal ?? "(none)"}' does not hold the '{cfg.AdminRole}' role");
        if (string.IsNullOrWhiteSpace(reason)) return Fail(400, GateCodes.ReasonRequired, "a reason is required");
        if (!Durations.TryParse(duration, out var length) || length <= TimeSpan.Zero)
            return Fail(400, GateCodes.InvalidDuration, $"'{duration}' is not a duration (e.g. 30m, 1h)");
        var max = Durations.TryParse(cfg.MaxDuration, out var m) ? m : TimeSpan.FromHours(4);
        if (length > max) return Fail(400, GateCodes.InvalidDuration, $"duration {duration} exceeds breakGlass.maxDuration {cfg.MaxDuration}");
        if (agent is not null && !snapshot.Agents.ContainsKey(agent)) return Fail(404, GateCodes.AgentUnknown, $"agent '{agent}' is not declared");
        var now = time.GetUtcNow();
        var session = new BreakGlassSession
        {
            Id = "bg_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(10)),
            Tenant = p!.Tenant ?? (agent is not null ? AgentTenant(snapshot, agent) : Policy.AgentCatalog.DefaultTenant(snapshot)),
            Principal = principal!,
            Reason = reason.Trim(),
            Agent = agent,
            StartedAt = now,
            ExpiresAt = now + length,
        };
        // Recorded before it takes effect: if the audit write fails, no session exists.
        await RecordAsync(AuditEventTypes.BreakGlassStarted, session, principal!, "started", cancellationToken);
        await store.CreateAsync(session, cancellationToken);
        return new BreakGlassResult(true, session);
    }

    /// <summary>Ends the given session, or every open one the admin can see when <paramref name="id"/> is null.</summary>
    public async Task<BreakGlassResult> EndAsync(string? principal, string? id, CancellationToken cancellationToken)
    {
        var snapshot = policy.Current;
        if (!IsAdmin(snapshot, principal, out _)) return Fail(403, GateCodes.NotAdmin, $"principal '{principal ?? "(none)"}' does not hold the '{snapshot.Config.BreakGlass.AdminRole}' role");
        await ExpireDueAsync(cancellationToken);
        var open = (await store.OpenAsync(cancellationToken)).Where(s => id is null || s.Id == id).ToList();
        if (open.Count == 0) return Fail(404, GateCodes.BreakGlassNotActive, id is null ? "no break-glass session is active" : $"break-glass session '{id}' is not active");
        BreakGlassSession? last = null;
        foreach (var s in open)
        {
            if (!await store.EndAsync(s.Id, time.GetUtcNow(), "ended", principal, cancellationToken)) continue;
            last = s with { EndedAt = time.GetUtcNow(), EndReason = "ended", EndedBy = principal };
            await RecordAsync(AuditEventTypes.BreakGlassEnded, last, principal!, "ended", cancellationToken);
        }
        return last is null ? Fail(404, GateCodes.BreakGlassNotActive, "no break-glass session is active") : new BreakGlassResult(true, last);
    }

    /// <summary>The active session covering this agent, after expiring due ones.</summary>
    public async Task<BreakGlassSession?> ActiveForAsync(string tenant, string agent, CancellationToken cancellationToken)
    {
        await ExpireDueAsync(cancellationToken);
        var now = time.GetUtcNow();
        return (await store.OpenAsync(cancellationToken))
            .FirstOrDefault(s => s.IsActiveAt(now) && s.Tenant == tenant && (s.Agent is null || s.Agent == agent));
    }

    public async Task<IReadOnlyList<BreakGlassSession>> ActiveAsync(CancellationToken cancellationToken)
    {
        await ExpireDueAsync(cancellationToken);
        return await store.OpenAsync(cancellationToken);
    }

    /// <summary>Ends sessions whose time is up, recording <c>breakglass.ended</c> with reason <c>expired</c> and alerting.</summary>
    public async Task<int> ExpireDueAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var n = 0;
        foreach (var s in await store.OpenAsync(cancellationToken))
        {
            if (s.IsActiveAt(now) || !await store.EndAsync(s.Id, s.ExpiresAt, "expired", null, cancellationToken)) continue;
            n++;
            await RecordAsync(AuditEventTypes.BreakGlassEnded, s with { EndedAt = s.ExpiresAt, EndReason = "expired" }, s.Principal, "expired", cancellationToken);
        }
        return n;
    }

    private async Task RecordAsync(string type, BreakGlassSession s, string principal, string what, CancellationToken cancellationToken)
    {
        string alert;
        if (alerts is null) alert = "not_configured";
        else
        {
            try { await alerts.SendAsync(type, s, cancellationToken); alert = "sent"; }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested) { alert = "failed:" + e.GetType().Name; } // recorded on the event, never silently dropped
        }
        await audit.AppendAsync(AgentAudit.ForPrincipal(type, s.Tenant, principal, null, "breakglass", "allow", [$"breakglass:{s.Id}"],
            new()
            {
                ["breakglass"] = s.Id, ["event"] = what, ["agent"] = s.Agent ?? "*", ["alert"] = alert,
                ["started_at"] = s.StartedAt.ToString("O"), ["expires_at"] = s.ExpiresAt.ToString("O"),
            }), cancellationToken);
    }

    private static bool IsAdmin(PolicySnapshot snapshot, string? principal, out PrincipalConfig? p)
    {
        p = null;
        return principal is not null && snapshot.Principals.TryGetValue(principal, out p)
            && p.Roles.Contains(snapshot.Config.BreakGlass.AdminRole, StringComparer.Ordinal);
    }

    private static string AgentTenant(PolicySnapshot s, string agent) =>
        s.Agents[agent].Tenant ?? Policy.AgentCatalog.DefaultTenant(s);

    private static BreakGlassResult Fail(int status, string code, string message) => new(false, null, status, code, message);
}
