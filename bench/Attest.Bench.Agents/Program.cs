using System.Diagnostics;
using Attest.Agents.Gate;
using Attest.Agents.Policy;
using Attest.Core.Config;
using Attest.Core.Identity;

// The in-process cost of the tool gate's decision (allow-list, schema, constraints, approval rule) and of the
// canonical argument hash, per call. Network and upstream time are not included.
var snapshot = ConfigLoader.FromText("""
    tools:
      - id: refund
        impact: medium
        argumentsSchema:
          type: object
          required: [customer, amount]
          properties:
            customer: { type: string, maxLength: 64 }
            amount: { type: number, minimum: 0 }
            path: { type: string }
        constraints: { pathArguments: [path], pathPrefixes: ["/data/out"], maxValues: { amount: 1000 } }
    agents:
      - id: biller
        tools: [{ tool: refund, approval: when, when: "amount > 100 and path startsWith /data/out" }]
    """);
var catalog = AgentCatalog.For(snapshot);
var who = new RequestIdentity { Tenant = "t", Agent = "biller" };
const string callArgs = """{"customer":"c-1029","amount":250.5,"path":"/data/out/refunds/2026/11/r-1.json"}""";
const int n = 100_000;

Measure("GatePolicy.Check + NeedsApproval", () =>
{
    var (a, t, doc, denial) = GatePolicy.Check(catalog, who, "refund", callArgs);
    if (denial is not null) throw new InvalidOperationException(denial.Message);
    _ = GatePolicy.NeedsApproval(a!, t!, doc!.RootElement);
    doc.Dispose();
});
Measure("CanonicalJson.Hash", () => CanonicalJson.Hash(callArgs));
var condition = ApprovalCondition.Parse("amount > 100 and path startsWith /data/out");
using var parsed = System.Text.Json.JsonDocument.Parse(callArgs);
Measure("ApprovalCondition.Evaluate", () => condition.Evaluate(parsed.RootElement));

static void Measure(string name, Action action)
{
    for (var i = 0; i < n / 10; i++) action(); // warm up
    var sw = Stopwatch.StartNew();
    for (var i = 0; i < n; i++) action();
    sw.Stop();
    Console.WriteLine($"{name,-36} {sw.Elapsed.TotalMicroseconds / n,8:F2} µs/call  {n / sw.Elapsed.TotalSeconds,12:N0} calls/s");
}
