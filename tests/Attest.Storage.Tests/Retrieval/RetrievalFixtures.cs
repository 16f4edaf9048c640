using System.Security.Cryptography;
using Attest.Core.Audit;
using Attest.Core.Config;
using Attest.Core.Guards;
using Attest.Retrieval;
using Attest.Storage.Retrieval;
using Microsoft.Extensions.Logging.Abstractions;

namespace Attest.Storage.Tests.Retrieval;

/// <summary>Policy, services and fakes shared by the retrieval store tests.</summary>
internal static class RetrievalFixtures
{
    public const string Yaml = """
        version: 1
        tenants: [{ id: acme }, { id: globex }, { id: initech }]
        connectors:
          - id: wiki
            owner: docs-team
            classification: internal
            retention: 365d
            evalCases: [{ query: vacation policy, expect: handbook }]
          - id: hr
            owner: people-team
            classification: confidential
            retention: 7y
            evalCases: [{ query: salary bands }]
          - id: nometa
            classification: internal
          - id: acmeonly
            owner: acme-it
            classification: restricted
            retention: 30d
            evalCases: [{ query: x }]
            tenants: [acme]
        """;

    public static StaticPolicySource Policy(string yaml = Yaml) => new(ConfigLoader.FromText(yaml));

    public static RetrievalService Service(AttestDatabase db, MasterKey master, IAuditLog? audit = null, IGuardPipeline? guards = null,
        IEmbeddingProvider? embedder = null, RetrievalOptions? options = null, string yaml = Yaml) =>
        new(new SqlRetrievalStore(db), Policy(yaml), master, TimeProvider.System, NullLogger<RetrievalService>.Instance, audit, guards, embedder, options);

    public static MasterKey NewMaster() => new(RandomNumberGenerator.GetBytes(32));
}

/// <summary>Keeps every appended record, in order.</summary>
internal sealed class RecordingAuditLog : IAuditLog
{
    private readonly List<AuditRecord> _records = [];
    public bool Fail { get; set; }

    public IReadOnlyList<AuditRecord> Records { get { lock (_records) return [.. _records]; } }

    public ValueTask<string> AppendAsync(AuditRecord record, CancellationToken cancellationToken = default)
    {
        if (Fail) throw new IOException("audit store unavailable");
        lock (_records)
        {
            _records.Add(record);
            return ValueTask.FromResult("evt_" + _records.Count);
        }
    }
}

/// <summary>Flags "IGNORE PREVIOUS" as an injection and redacts e-mail-like words, like the real guards would.</summary>
internal sealed class TinyGuards : IGuardPipeline
{
    public ValueTask<GuardVerdict> EvaluateAsync(string text, GuardContext context, CancellationToken cancellationToken = default)
    {
        var i = text.IndexOf("IGNORE PREVIOUS", StringComparison.OrdinalIgnoreCase);
        if (i >= 0)
            return ValueTask.FromResult(new GuardVerdict { Action = GuardAction.Flag, Text = text, Findings = [new("injection", i, 15, 0.99, "inj.ignore_previous")] });
        var words = text.Split(' ');
        if (words.Any(w => w.Contains('@')))
            return ValueTask.FromResult(new GuardVerdict
            {
                Action = GuardAction.Redact, Text = string.Join(' ', words.Select(w => w.Contains('@') ? "[EMAIL]" : w)),
                Findings = [new("pii.email", 0, 1, 0.9, "pii.email")],
            });
        return ValueTask.FromResult(GuardVerdict.Allowed(text));
    }

    public IStreamingGuardSession BeginStream(GuardContext context) => throw new NotSupportedException("not used by retrieval");
    public string Restore(string text, GuardContext context) => text;
}
