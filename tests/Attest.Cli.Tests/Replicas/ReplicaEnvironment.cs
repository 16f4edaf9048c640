using System.Net.Sockets;
using Npgsql;

namespace Attest.Cli.Tests.Replicas;

/// <summary>
/// A fresh PostgreSQL database on <c>ATTEST_TEST_POSTGRES</c>, the Redis on <c>ATTEST_TEST_REDIS</c>, a data folder
/// and an attest.yaml that two replicas share. <see cref="TryCreateAsync"/> returns null (with a reason) when a
/// server is missing and <c>ATTEST_REQUIRE_SERVERS</c> is not 1; with it set, a missing server throws.
/// </summary>
internal sealed class ReplicaEnvironment
{
    public required string Directory { get; init; }
    public required string ConfigPath { get; init; }
    public required Dictionary<string, string> ChildEnvironment { get; init; }
    public required string AdminConnectionString { get; init; }
    public required string Database { get; init; }

    /// <summary>Drops the test database (the replicas are stopped by then; FORCE closes any leftover session).</summary>
    public async Task DropDatabaseAsync()
    {
        try
        {
            await using var admin = new NpgsqlConnection(AdminConnectionString);
            await admin.OpenAsync();
            await using var cmd = admin.CreateCommand();
            cmd.CommandText = $"DROP DATABASE IF EXISTS {Database} WITH (FORCE)";
            await cmd.ExecuteNonQueryAsync();
        }
        catch (NpgsqlException) { } // best effort: a leftover test database is harmless
    }

    public static async Task<(ReplicaEnvironment? Env, string? Reason)> TryCreateAsync(Uri toolUrl)
    {
        var required = Environment.GetEnvironmentVariable("ATTEST_REQUIRE_SERVERS") == "1";
        var pg = Environment.GetEnvironmentVariable("ATTEST_TEST_POSTGRES");
        var redis = Environment.GetEnvironmentVariable("ATTEST_TEST_REDIS");
        var missing = pg is null ? "ATTEST_TEST_POSTGRES is not set"
            : redis is null ? "ATTEST_TEST_REDIS is not set"
            : await RedisUnreachableAsync(redis);
        string? database = null;
        if (missing is null)
        {
            try { database = await CreateDatabaseAsync(pg!); }
            catch (Exception e) when (e is NpgsqlException or SocketException or TimeoutException) { missing = $"PostgreSQL is unreachable: {e.Message}"; }
        }
        if (missing is not null)
            return required ? throw new InvalidOperationException($"ATTEST_REQUIRE_SERVERS=1 but {missing}") : (null, missing);

        var dir = Path.Combine(Path.GetTempPath(), "attest-replicas-" + Guid.NewGuid().ToString("n"));
        System.IO.Directory.CreateDirectory(dir);
        var config = Path.Combine(dir, "attest.yaml");
        await File.WriteAllTextAsync(config, Yaml(Path.Combine(dir, "data"), redis!, toolUrl));
        var env = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["ATTEST_POSTGRES"] = new NpgsqlConnectionStringBuilder(pg) { Database = database, MaxPoolSize = 20 }.ToString(),
            ["ATTEST_KEY_PEPPER"] = "replicas-test-pepper-" + Guid.NewGuid().ToString("n"),
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
        };
        return (new ReplicaEnvironment
        {
            Directory = dir, ConfigPath = config, ChildEnvironment = env, AdminConnectionString = pg!, Database = database!,
        }, null);
    }

    private static async Task<string?> RedisUnreachableAsync(string endpoint)
    {
        var (host, port) = endpoint.LastIndexOf(':') is var i and > 0 ? (endpoint[..i], int.Parse(endpoint[(i + 1)..], System.Globalization.CultureInfo.InvariantCulture)) : (endpoint, 6379);
        using var client = new TcpClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        try { await client.ConnectAsync(host, port, timeout.Token); return null; }
        catch (Exception e) when (e is SocketException or OperationCanceledException) { return $"Redis at {endpoint} is unreachable: {e.Message}"; }
    }

    private static async Task<string> CreateDatabaseAsync(string connectionString)
    {
        var name = "attest_replicas_" + Guid.NewGuid().ToString("n");
        await using var admin = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Timeout = 5 }.ToString());
        await admin.OpenAsync();
        await using var cmd = admin.CreateCommand();
        cmd.CommandText = $"CREATE DATABASE {name}";
        await cmd.ExecuteNonQueryAsync();
        return name;
    }

    private static string Yaml(string dataDir, string redis, Uri toolUrl) => $$"""
        version: 1
        environment: dev
        server:
          dataDir: {{dataDir}}
          redis: {{redis}}
          storage: { kind: postgres, connectionString: { env: ATTEST_POSTGRES } }
        environments:
          - id: dev
        tenants:
          - id: acme
            name: Acme Corp
        providers:
          - id: local
            type: offline
            subprocessor: none (built in)
            dataLocation: in-process
            maxClassification: restricted
        models:
          - alias: chat-default
            kind: chat
            targets:
              - provider: local
                model: offline-echo-2026-01
        principals:
          - { id: dana, kind: user, tenant: acme, roles: [approver] }
        approvals:
          approverRole: approver
          expiry: 1h
          waitTimeout: 0s
        tools:
          - id: echo
            kind: http
            description: Echo the arguments back
            url: {{toolUrl}}
            impact: high
        agents:
          - id: ops-agent
            tenant: acme
            owner: dana
            purpose: Run the echo tool after a human approves
            domain: echo
            impact: high
            model: chat-default
            tools:
              - tool: echo
                approval: always
        audit:
          origin: attest-replicas-test
          checkpointEvery: 50
          checkpointSeconds: 2
        """;
}
