using System.Diagnostics;
using System.Globalization;
using System.Text;
using Attest.Scanning;
using Attest.Scanning.Output;

// Scans a generated cluster of 10,000 RBAC and workload objects (200 namespaces) and prints timings.
// Usage: dotnet run -c Release --project bench/Attest.Bench.Scanning [-- OBJECTS]
var target = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10_000;
var (yaml, objects) = Generate(target);
var sources = new[] { new K8sSource("cluster.yaml", yaml) };
Console.WriteLine($"Input: {objects} objects, {yaml.Length / 1024} KiB of YAML, {Environment.ProcessorCount} cores, .NET {Environment.Version}");

K8sScanner.Scan(sources); // warm-up (JIT)
var timings = new List<double>();
ScanReport? report = null;
var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
for (var i = 0; i < 7; i++)
{
    var sw = Stopwatch.StartNew();
    report = K8sScanner.Scan(sources);
    timings.Add(sw.Elapsed.TotalMilliseconds);
}
var cpuPerScan = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMilliseconds / 7;
timings.Sort();
var parse = Stopwatch.StartNew();
Attest.Scanning.Reading.ManifestReader.Read(sources);
var parseMs = parse.Elapsed.TotalMilliseconds;
var set = Attest.Scanning.Reading.ManifestReader.Read(sources);
var graphSw = Stopwatch.StartNew();
_ = new Attest.Scanning.Analysis.RbacGraph(set);
Console.WriteLine($"  building the RBAC graph: {graphSw.Elapsed.TotalMilliseconds:F0} ms");
var events = Stopwatch.StartNew();
var parser = new YamlDotNet.Core.Parser(new StringReader(yaml));
var count = 0;
while (parser.MoveNext()) count++;
Console.WriteLine($"  YamlDotNet parser events alone: {events.Elapsed.TotalMilliseconds:F0} ms ({count} events)");
var sarif = Stopwatch.StartNew();
var sarifText = SarifWriter.Write(report!);
var sarifMs = sarif.Elapsed.TotalMilliseconds;
Console.WriteLine($"Scan (read + analyse), 7 runs: median {timings[3]:F0} ms, min {timings[0]:F0} ms, max {timings[^1]:F0} ms");
Console.WriteLine($"  CPU time per scan (all threads, includes GC): {cpuPerScan:F0} ms; machine load average is shared with other builds");
Console.WriteLine($"  of which reading YAML into the model: {parseMs:F0} ms");
Console.WriteLine($"SARIF write: {sarifMs:F0} ms ({sarifText.Length / 1024} KiB); findings {report!.Findings.Count}; subjects {report.Subjects.Count}");
Console.WriteLine($"Target (<= 1 s for 10,000 objects): wall-clock median {(timings[3] <= 1000 ? "met" : "NOT met")}, CPU time per scan {(cpuPerScan <= 1000 ? "met" : "NOT met")}");

static (string Yaml, int Objects) Generate(int target)
{
    var sb = new StringBuilder();
    var n = 0;
    const int namespaces = 200;
    var perNamespace = target / namespaces;
    for (var ns = 0; ns < namespaces && n < target; ns++)
    {
        for (var i = 0; i < perNamespace / 4 && n < target; i++)
        {
            var risky = (ns + i) % 7 == 0;
            Doc(sb, $"kind: ServiceAccount\nmetadata: {{name: sa{i}, namespace: ns{ns}}}\n");
            Doc(sb, $"kind: Role\nmetadata: {{name: role{i}, namespace: ns{ns}}}\nrules:\n  - apiGroups: [\"\"]\n    resources: [configmaps, pods]\n    verbs: [get, list]\n" +
                (risky ? "  - apiGroups: [\"\"]\n    resources: [secrets, pods/exec]\n    verbs: [get, create]\n" : ""));
            Doc(sb, $"kind: RoleBinding\nmetadata: {{name: rb{i}, namespace: ns{ns}}}\nsubjects: [{{kind: ServiceAccount, name: sa{i}, namespace: ns{ns}}}]\nroleRef: {{kind: Role, name: role{i}}}\n");
            Doc(sb, $"kind: Deployment\nmetadata: {{name: app{i}, namespace: ns{ns}}}\nspec: {{template: {{spec: {{serviceAccountName: sa{i}, containers: []}}}}}}\n");
            n += 4;
        }
    }
    for (var c = 0; n < target; c++)
    {
        Doc(sb, $"kind: ClusterRole\nmetadata: {{name: cr{c}}}\nrules: [{{apiGroups: [\"\"], resources: [nodes], verbs: [get]}}]\n");
        Doc(sb, $"kind: ClusterRoleBinding\nmetadata: {{name: crb{c}}}\nsubjects: [{{kind: User, name: user{c}}}]\nroleRef: {{kind: ClusterRole, name: cr{c}}}\n");
        n += 2;
    }
    return (sb.ToString(), n);
}

static void Doc(StringBuilder sb, string body) => sb.Append("---\napiVersion: v1\n").Append(body);
