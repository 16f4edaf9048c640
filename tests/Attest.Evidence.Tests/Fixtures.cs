using System.Runtime.CompilerServices;
using Attest.Core.Audit;
using Attest.Core.Config;
using Attest.Evidence.Model;

namespace Attest.Evidence.Tests;

/// <summary>An audit reader over a list, for control-test fixtures.</summary>
internal sealed class ListAuditReader(IEnumerable<AuditEventView> events) : IAuditReader
{
    private readonly List<AuditEventView> _events = [.. events];

    public async IAsyncEnumerable<AuditEventView> QueryAsync(AuditQuery query, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var e in _events)
        {
            if (query.From is { } f && e.Time < f) continue;
            if (query.To is { } t && e.Time >= t) continue;
            yield return e;
        }
        await Task.CompletedTask;
    }
}

internal static class Fixtures
{
    public static readonly DateTimeOffset Start = new(2026, 10, 1, 0, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset End = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    public const string GoodConfig = """
        version: 1
        environment: prod
        environments:
          - id: prod
            production: true
            requiredApprovals: 2
        tenants:
          - id: acme
            canaries: [CANARY-acme-7f3a]
        principals:
          - { id: alice, kind: user, tenant: acme, roles: [approver] }
          - { id: root, kind: admin, roles: [admin] }
        providers:
          - { id: openai, type: openai, baseUrl: "https://api.openai.com/v1", apiKey: { env: OPENAI_API_KEY }, subprocessor: OpenAI LLC, dataLocation: US, maxClassification: confidential }
          - { id: backup, type: anthropic, apiKey: { env: ANTHROPIC_API_KEY }, subprocessor: Anthropic PBC, dataLocation: US, maxClassification: internal }
        models:
          - alias: chat
            production: true
            targets:
              - { provider: openai, model: gpt-4o-2024-08-06 }
              - { provider: backup, model: claude-3-5-sonnet-20241022 }
        limits:
          keyDefaults: { requestsPerMinute: 60, tokensPerDay: 100000 }
        tools:
          - id: refund
            kind: http
            url: https://billing.internal/refund
            impact: high
            argumentsSchema: { type: object }
        agents:
          - id: billing-bot
            tenant: acme
            owner: finance-team
            purpose: refunds under policy
            impact: high
            model: chat
            tools:
              - { tool: refund, approval: always }
        connectors:
          - id: wiki
            owner: docs-team
            classification: internal
            retention: 1y
            evalCases: [{ query: vacation policy, expect: doc-1 }]
        guards:
          - id: default
            actions:
              input: { pii: redact, injection: block }
              retrieved: { injection: block }
              output: { secret: block, canary: block }
        retention:
          - { dataClass: prompts, keep: 30d }
        """;

    public static PolicySnapshot Policy(string yaml = GoodConfig) => ConfigLoader.FromText(yaml);

    public static EvidenceInputs Inputs(PolicySnapshot? policy = null, IEnumerable<AuditEventView>? events = null, IReadOnlyList<KeyFact>? keys = null,
        AuditIntegrity? integrity = null) => new()
    {
        Policy = policy ?? Policy(),
        PeriodStart = Start,
        PeriodEnd = End,
        Audit = events is null ? null : new ListAuditReader(events),
        Keys = keys,
        Integrity = integrity,
    };

    private static long _seq;

    public static AuditEventView Event(string type, DateTimeOffset? at = null, string? agent = null, string? decision = null,
        IReadOnlyList<string>? reasons = null, Dictionary<string, string>? attrs = null, AuditModel? model = null, int tokens = 0, string tenant = "acme", string? keyId = null)
    {
        var seq = Interlocked.Increment(ref _seq);
        return new AuditEventView
        {
            Id = $"evt-{seq:D6}", Sequence = seq, Time = at ?? Start.AddDays(1), Type = type, Tenant = tenant,
            Actor = new AuditActor { Agent = agent, KeyId = keyId }, Decision = decision, Reasons = reasons ?? [],
            Attributes = attrs ?? [], Model = model, InputTokens = tokens, OutputTokens = 0,
        };
    }

    public static DateTimeOffset Now => End.AddHours(1);
}

internal sealed class FixedTime(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
