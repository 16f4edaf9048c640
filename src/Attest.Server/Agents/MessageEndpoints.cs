using System.Security.Cryptography;
using System.Text;
using Attest.Agents.Gate;
using Attest.Agents.Messages;
using Attest.Agents.Policy;
using Attest.Core.Audit;
using Attest.Core.Config;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Attest.Server.Agents;

/// <summary>
/// <c>POST /v1/agents/{to}/messages</c>: the sender (the key's agent) may message only agents in its <c>canMessage</c>;
/// the JSON body is the envelope and must satisfy the receiver's <c>messageSchema</c>. <c>GET /v1/agents/{me}/messages</c> reads the mailbox.
/// </summary>
internal static class MessageEndpoints
{
    public static void Map(IEndpointRouteBuilder e)
    {
        e.MapPost("/v1/agents/{to}/messages", SendAsync);
        e.MapGet("/v1/agents/{agent}/messages", ReadAsync);
    }

    private static async Task<IResult> SendAsync(string to, HttpContext http, IPolicySource policy, IAgentMessageStore store, TimeProvider time, CancellationToken ct)
    {
        var (identity, _, authError) = await AgentsHttp.AuthenticateAsync(http, ct);
        if (authError is not null) return authError;
        var catalog = AgentCatalog.For(policy.Current);
        var sender = catalog.Agent(identity!.Agent);
        if (sender is null) return AgentsHttp.Error(403, GateCodes.AgentUnknown, "only agent keys may send agent messages");
        var receiver = catalog.Agent(to);
        if (receiver is null) return AgentsHttp.Error(404, GateCodes.AgentUnknown, $"agent '{to}' is not declared", "to");
        var audit = http.RequestServices.GetService<IAuditLog>() ?? NullAuditLog.Instance;
        var attrs = new Dictionary<string, string> { ["from"] = sender.Id, ["to"] = to };
        if (!sender.Config.CanMessage.Contains(to, StringComparer.Ordinal) || receiver.Tenant != sender.Tenant)
        {
            await audit.AppendAsync(AgentAudit.For(AuditEventTypes.AgentMessage, identity, "agent-messages", "deny", [GateCodes.MessageNotAllowed], attrs), ct);
            return AgentsHttp.Error(403, GateCodes.MessageNotAllowed, $"agent '{sender.Id}' may not message '{to}' (not in its canMessage)", "to");
        }
        if (receiver.CompileError is not null) return AgentsHttp.Error(403, GateCodes.PolicyError, receiver.CompileError);
        string raw;
        using (var reader = new StreamReader(http.Request.Body, Encoding.UTF8)) raw = await reader.ReadToEndAsync(ct);
        var digest = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(raw)));
        try { using var _ = System.Text.Json.JsonDocument.Parse(raw); }
        catch (System.Text.Json.JsonException e) { return AgentsHttp.Error(400, "invalid_json", $"the envelope is not valid JSON: {e.Message}"); }
        if (receiver.MessageSchema is { } schema && schema.Validate(raw) is { Count: > 0 } errors)
        {
            var first = errors.First();
            await audit.AppendAsync(AgentAudit.For(AuditEventTypes.AgentMessage, identity, "agent-messages", "deny", [GateCodes.InvalidMessage], attrs, new() { ["envelope"] = digest }), ct);
            return AgentsHttp.Error(400, GateCodes.InvalidMessage, $"the envelope does not match the message schema of '{to}': {first.Kind} at {(string.IsNullOrEmpty(first.Path) ? "#" : first.Path)}", first.Property);
        }
        var message = new AgentMessage
        {
            Id = "msg_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(10)), Tenant = sender.Tenant, From = sender.Id, To = to, Body = raw, CreatedAt = time.GetUtcNow(),
        };
        attrs["message"] = message.Id;
        await audit.AppendAsync(AgentAudit.For(AuditEventTypes.AgentMessage, identity, "agent-messages", "allow", [], attrs, new() { ["envelope"] = digest }), ct);
        await store.AddAsync(message, ct);
        return Results.Json(new { id = message.Id, from = message.From, to, created_at = message.CreatedAt }, statusCode: 201);
    }

    private static async Task<IResult> ReadAsync(string agent, string? after, HttpContext http, IAgentMessageStore store, CancellationToken ct)
    {
        var (identity, _, authError) = await AgentsHttp.AuthenticateAsync(http, ct);
        if (authError is not null) return authError;
        if (identity!.Agent != agent) return AgentsHttp.Error(403, "mailbox_not_yours", "an agent may read only its own messages");
        var messages = await store.ListAsync(agent, after, 100, ct);
        return Results.Json(new
        {
            data = messages.Select(m => new { id = m.Id, from = m.From, to = m.To, created_at = m.CreatedAt, body = System.Text.Json.JsonDocument.Parse(m.Body).RootElement.Clone() }),
        });
    }
}
