using System.Diagnostics;
using Attest.Core.Guards;
using Attest.Core.Identity;
using Attest.Server.Gateway;
using Attest.Storage;
using Attest.Storage.Keys;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Per-call cost of pieces of the gateway's request path, measured in-process on one thread (--micro):
/// opening a storage connection, authenticating a virtual key (keyed hash + store lookup, done on every request), and
/// the guard pipeline on the bench's short prompt and answer.
/// </summary>
internal static class Micro
{
    public static async Task RunAsync(WebApplication gateway, WebApplication full, string presentedKey, int n)
    {
        Console.WriteLine();
        Console.WriteLine($"request-path pieces, one caller, {n} calls each (load average {Load.LoadAverage()}):");
        var db = gateway.Services.GetRequiredService<AttestDatabase>();
        await MeasureAsync("storage connection open + close (pooled)", n, async () => { await using var c = await db.OpenAsync(); });
        var store = gateway.Services.GetRequiredService<KeyStore>();
        var hash = gateway.Services.GetRequiredService<KeyPepper>().Hash(presentedKey);
        await MeasureAsync("key store lookup, generic path (Dapper)", n, async () =>
        {
            if (await store.FindByHashUnpreparedAsync(hash) is null) throw new InvalidOperationException("bench key not found");
        });
        await MeasureAsync("key store lookup, prepared (per request)", n, async () =>
        {
            if (await store.FindByHashAsync(hash) is null) throw new InvalidOperationException("bench key not found");
        });
        await PostgresLookupAsync(n);
        var keys = gateway.Services.GetRequiredService<IKeyAuthenticator>();
        await MeasureAsync("virtual key authentication (store lookup)", n, async () =>
        {
            if ((await keys.AuthenticateAsync(presentedKey)).Key is null) throw new InvalidOperationException("bench key not accepted");
        });
        // The guard pipeline the full gateway runs on each message (default policy), on the bench's own prompt and answer.
        var guards = full.Services.GetRequiredService<IGuardPipeline>();
        var identity = new RequestIdentity { Tenant = "acme", KeyId = "bench", RequestId = "bench" };
        var input = new GuardContext { Direction = GuardDirection.Input, Identity = identity, ConversationId = "bench" };
        var output = input with { Direction = GuardDirection.Output };
        await MeasureAsync("guard pipeline, input (27-character prompt)", n, async () => await guards.EvaluateAsync("Say hello to the benchmark.", input));
        await MeasureAsync("guard pipeline, output (19-character answer)", n, async () => await guards.EvaluateAsync("Hello from upstream", output));
        await MeasureAsync("guard pipeline, pseudonym restore (output)", n, () =>
        {
            _ = guards.Restore("Hello from upstream", output);
            return Task.CompletedTask;
        });
    }

    /// <summary>The same two lookups on PostgreSQL, when ATTEST_TEST_POSTGRES names a server (a fresh database is created).</summary>
    private static async Task PostgresLookupAsync(int n)
    {
        if (Environment.GetEnvironmentVariable("ATTEST_TEST_POSTGRES") is not { Length: > 0 } cs) return;
        var name = "attest_bench_" + Guid.NewGuid().ToString("n");
        await using (var admin = new Npgsql.NpgsqlConnection(cs))
        {
            await admin.OpenAsync();
            await using var cmd = admin.CreateCommand();
            cmd.CommandText = $"CREATE DATABASE {name}";
            await cmd.ExecuteNonQueryAsync();
        }
        try { await PostgresLookupAsync(n, new Npgsql.NpgsqlConnectionStringBuilder(cs) { Database = name }.ToString()); }
        finally
        {
            Npgsql.NpgsqlConnection.ClearAllPools();
            await using var admin = new Npgsql.NpgsqlConnection(cs);
            await admin.OpenAsync();
            await using var cmd = admin.CreateCommand();
            cmd.CommandText = $"DROP DATABASE IF EXISTS {name} WITH (FORCE)";
            await cmd.ExecuteNonQueryAsync();
        }
    }

    private static async Task PostgresLookupAsync(int n, string connectionString)
    {
        await using var db = new PostgresDatabase(connectionString);
        await MigrationRunner.ApplyAsync(db);
        using var store = new KeyStore(db);
        var pepper = new KeyPepper(new byte[32]);
        var secret = KeyMaterial.NewKey();
        await store.CreateAsync(new StoredKey
        {
            Id = KeyMaterial.NewId(), KeyHash = pepper.Hash(secret), DisplayPrefix = KeyMaterial.DisplayPrefix(secret), Tenant = "acme",
            Scopes = ["chat"], CreatedAt = DateTimeOffset.UnixEpoch,
        });
        var hash = pepper.Hash(secret);
        await MeasureAsync("PostgreSQL key lookup, generic path (Dapper)", n, async () =>
        {
            if (await store.FindByHashUnpreparedAsync(hash) is null) throw new InvalidOperationException("bench key not found");
        });
        await MeasureAsync("PostgreSQL key lookup, prepared", n, async () =>
        {
            if (await store.FindByHashAsync(hash) is null) throw new InvalidOperationException("bench key not found");
        });
    }

    private static async Task MeasureAsync(string what, int n, Func<Task> op)
    {
        for (var i = 0; i < Math.Min(500, n); i++) await op();
        var wall = new double[n];
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        for (var i = 0; i < n; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await op();
            wall[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }
        var cpuPer = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds / n;
        Array.Sort(wall);
        Console.WriteLine($"  {what,-44} p50 {wall[n / 2],7:F1} µs, p99 {wall[(int)(n * 0.99)],7:F1} µs, CPU {cpuPer,6:F1} µs/call");
    }
}
