using System.Net.Http.Json;
using Attest.Core.Config;

namespace Attest.Agents.BreakGlass;

/// <summary>Posts break-glass alerts as JSON to <c>breakGlass.webhook</c> (no-op when unset). Throws on failure so the event records it.</summary>
public sealed class WebhookAlertSink(IHttpClientFactory clients, IPolicySource policy) : IBreakGlassAlertSink
{
    public const string ClientName = "attest-alerts";

    public async Task SendAsync(string eventType, BreakGlassSession session, CancellationToken cancellationToken = default)
    {
        var url = policy.Current.Config.BreakGlass.Webhook;
        if (string.IsNullOrWhiteSpace(url)) return;
        var client = clients.CreateClient(ClientName);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(TimeSpan.FromSeconds(10));
        using var response = await client.PostAsJsonAsync(new Uri(url), new
        {
            @event = eventType,
            session = session.Id,
            tenant = session.Tenant,
            principal = session.Principal,
            agent = session.Agent,
            reason = session.Reason,
            started_at = session.StartedAt,
            expires_at = session.ExpiresAt,
            ended_at = session.EndedAt,
            end_reason = session.EndReason,
        }, cts.Token);
        response.EnsureSuccessStatusCode();
    }
}
