using Attest.Core.Audit;
using Attest.Core.Config;
using Attest.Core.Guards;
using Attest.Core.Identity;
using Attest.Core.Time;
using Attest.Guards.Pipeline;
using Attest.Guards.Redaction;
using Microsoft.Extensions.Logging;

namespace Attest.Guards.Tests;

internal static class TestPipelines
{
    public static PolicySnapshot Snapshot(string yaml = "version: 1") => ConfigLoader.FromText(yaml);

    public static GuardPipeline Default(string yaml = "version: 1", IAuditLog? audit = null, ILogger? logger = null, PseudonymVault? vault = null)
    {
        var b = GuardPipelineBuilder.CreateDefault(new StaticPolicySource(Snapshot(yaml)));
        if (audit is not null) b.WithAudit(audit);
        if (logger is not null) b.WithLogger(logger);
        b.WithVault(vault ?? PseudonymVault.Ephemeral(new ManualTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero))));
        return b.Build();
    }

    public static GuardContext Ctx(GuardDirection d, string tenant = "acme", string? conversation = null, string user = "alice") =>
        new() { Direction = d, Identity = new RequestIdentity { Tenant = tenant, EndUser = user, RequestId = "req-1" }, ConversationId = conversation };

    public static List<GuardFinding> Scan(IContentGuard guard, string text, GuardDirection d = GuardDirection.Input)
    {
        var list = new List<GuardFinding>();
        guard.Scan(text, new GuardScan(d, CompiledGuardPolicy.Default), list);
        return list;
    }
}

internal sealed class RecordingAudit : IAuditLog
{
    public List<AuditRecord> Records { get; } = [];
    public bool Fail { get; set; }

    public ValueTask<string> AppendAsync(AuditRecord record, CancellationToken cancellationToken = default)
    {
        if (Fail) throw new IOException("audit store unavailable");
        lock (Records) Records.Add(record);
        return ValueTask.FromResult(Records.Count.ToString());
    }
}

internal sealed class CapturingLogger : ILogger
{
    public List<string> Lines { get; } = [];
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
    public bool IsEnabled(LogLevel logLevel) => true;
    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (Lines) Lines.Add(formatter(state, exception) + (exception is null ? "" : " " + exception));
    }
}

internal sealed class ThrowingGuard : IContentGuard
{
    public string Name => "broken";
    public void Scan(string text, GuardScan scan, List<GuardFinding> findings) => throw new InvalidOperationException("detector bug");
}
