// Cost of the durable pseudonym store per operation, on SQLite (WAL, fsync on commit) and PostgreSQL
// (ATTEST_POSTGRES or ATTEST_TEST_POSTGRES): binding a new value (one transaction), using a bound value again
// (one indexed read), restoring a placeholder (one indexed read). Prints median and p99 wall time and CPU per op.
// Usage: dotnet run -c Release --project bench/Attest.Bench.Pseudonyms [-- N]
using System.Diagnostics;
using System.Security.Cryptography;
using Attest.Guards.Redaction;
using Attest.Storage;
using Attest.Storage.Guards;
using Npgsql;

int n = 400;
if (args.Length > 0 && !(int.TryParse(args[0], out n) && n > 0))
{
    Console.Error.WriteLine($"usage: Attest.Bench.Pseudonyms [N]  (N = operations per measurement, a positive integer; got '{args[0]}')");
    return 2;
}
var dir = Directory.CreateTempSubdirectory("attest-bench-pseudo-").FullName;
var backends = new List<(string, Func<Task<AttestDatabase>>)> { ("sqlite", () => Task.FromResult<AttestDatabase>(new SqliteDatabase(Path.Combine(dir, "attest.db")))) };
if ((Environment.GetEnvironmentVariable("ATTEST_POSTGRES") ?? Environment.GetEnvironmentVariable("ATTEST_TEST_POSTGRES")) is { Length: > 0 } cs)
    backends.Add(("postgres", async () =>
    {
        var name = "attest_bench_" + Guid.NewGuid().ToString("n");
        await using (var admin = new NpgsqlConnection(cs))
        {
            await admin.OpenAsync();
            await using var cmd = admin.CreateCommand();
            cmd.CommandText = $"CREATE DATABASE {name}";
            await cmd.ExecuteNonQueryAsync();
        }
        return new PostgresDatabase(new NpgsqlConnectionStringBuilder(cs) { Database = name }.ToString());
    }));

Console.WriteLine($"pseudonym store, {n} operations each, {Environment.ProcessorCount} cores");
foreach (var (backend, create) in backends)
{
    await using var db = await create();
    await MigrationRunner.ApplyAsync(db);
    var vault = new PseudonymVault(RandomNumberGenerator.GetBytes(32), new SqlPseudonymStore(db, TimeProvider.System), TimeProvider.System);
    const string scope = "acme\nu1\nbench-conversation";
    for (int i = 0; i < 20; i++) vault.Pseudonymize("warmup\n" + i, "EMAIL", $"w{i}@example.com");
    Measure(backend, "bind, new conversation", i => vault.Pseudonymize(scope + i, "EMAIL", "jane@example.com"));
    Measure(backend, "bind new value", i => vault.Pseudonymize(scope, "EMAIL", $"user{i}@example.com"));
    Measure(backend, "reuse bound value", i => vault.Pseudonymize(scope, "EMAIL", $"user{i}@example.com"));
    Measure(backend, "restore placeholder", i => vault.Restore(scope, $"reply to <EMAIL_{i + 1}> today"));
}
Directory.Delete(dir, recursive: true);
return 0;

void Measure(string backend, string what, Action<int> op)
{
    var wall = new double[n];
    var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
    var total = Stopwatch.StartNew();
    for (int i = 0; i < n; i++)
    {
        long t = Stopwatch.GetTimestamp();
        op(i);
        wall[i] = Stopwatch.GetElapsedTime(t).TotalMicroseconds;
    }
    total.Stop();
    var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalMicroseconds / n;
    Array.Sort(wall);
    Console.WriteLine($"{backend,-9} {what,-23} median {wall[n / 2],8:F0} µs   p99 {wall[(int)(n * 0.99)],8:F0} µs   CPU {cpu,7:F0} µs/op   {n / total.Elapsed.TotalSeconds,8:F0} ops/s");
}
