using System.Diagnostics;
using System.Text;
using Attest.Core.Config;

// Config load figures: parse + bind + every validation rule + compile, for the sample and a large synthetic config.
var root = AppContext.BaseDirectory;
while (!File.Exists(Path.Combine(root, "Attest.slnx"))) root = Path.GetDirectoryName(root)!;
var sample = File.ReadAllText(Path.Combine(root, "samples", "attest.yaml"));
var large = Synthetic(tenants: 200, agentsPerTenant: 5, connectors: 200);

Measure("sample (samples/attest.yaml)", sample, 2000);
Measure($"synthetic ({large.Split('\n').Length} lines: 200 tenants, 1000 agents, 1000 keys, 200 connectors)", large, 20);

Breakdown(large);

// Where the time goes for the large config: parse+bind, then each rule.
static void Breakdown(string yaml)
{
    var sw = Stopwatch.StartNew();
    var doc = ConfigLoader.Read(yaml);
    Console.WriteLine($"  parse+bind: {sw.Elapsed.TotalMilliseconds:F1} ms");
    foreach (var rule in ConfigValidation.Validators)
    {
        var context = new ConfigValidationContext(doc);
        sw.Restart();
        rule.Validate(context);
        Console.WriteLine($"  {rule.GetType().Name}: {sw.Elapsed.TotalMilliseconds:F1} ms");
    }
}

static void Measure(string name, string yaml, int iterations)
{
    for (int i = 0; i < Math.Max(3, iterations / 10); i++) Load(yaml); // warm up
    var sw = Stopwatch.StartNew();
    for (int i = 0; i < iterations; i++) Load(yaml);
    sw.Stop();
    Console.WriteLine($"{name}: {sw.Elapsed.TotalMilliseconds / iterations:F3} ms per load+validate+compile ({iterations} runs, {yaml.Length / 1024.0:F1} KiB)");
}

static void Load(string yaml)
{
    var doc = ConfigLoader.Read(yaml);
    var errors = ConfigLoader.Validate(doc);
    if (errors.Count > 0) throw new InvalidOperationException(errors[0].ToString());
    _ = ConfigLoader.Compile(doc);
}

static string Synthetic(int tenants, int agentsPerTenant, int connectors)
{
    var sb = new StringBuilder("version: 1\nenvironment: dev\nenvironments:\n  - id: dev\nproviders:\n  - id: local\n    type: offline\nmodels:\n  - alias: chat\n    targets:\n      - provider: local\n        model: offline-echo-2026-01\ntools:\n  - id: search\n    kind: http\n    url: https://tools.internal/search\n");
    sb.Append("tenants:\n");
    for (int t = 0; t < tenants; t++) sb.Append($"  - id: t{t}\n    name: Tenant {t}\n");
    sb.Append("agents:\n");
    for (int t = 0; t < tenants; t++)
        for (int a = 0; a < agentsPerTenant; a++)
            sb.Append($"  - id: t{t}-a{a}\n    tenant: t{t}\n    owner: team-{t}\n    impact: medium\n    model: chat\n    tools:\n      - tool: search\n        approval: never\n");
    sb.Append("keys:\n");
    for (int t = 0; t < tenants; t++)
        for (int a = 0; a < agentsPerTenant; a++)
            sb.Append($"  - id: k-t{t}-a{a}\n    tenant: t{t}\n    agent: t{t}-a{a}\n    secret: {{env: KEY_T{t}_A{a}}}\n    models: [chat]\n");
    sb.Append("connectors:\n");
    for (int c = 0; c < connectors; c++)
        sb.Append($"  - id: c{c}\n    owner: data-team\n    classification: internal\n    retention: 90d\n    tenants: [t{c % tenants}]\n    evalCases:\n      - query: question {c}\n        expect: doc-{c}\n");
    return sb.ToString();
}
