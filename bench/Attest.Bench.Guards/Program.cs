using System.Text.Json;
using Attest.Bench.Guards;
using Attest.Bench.Guards.Data;
using Attest.Guards.Injection;

// dotnet run -c Release --project bench/Attest.Bench.Guards -- [gen-data|train-injection|quality|speed|profile [seconds] [clean]]
var repo = FindRepoRoot();
var command = args.Length > 0 ? args[0] : "quality";
switch (command)
{
    case "gen-data":
        WriteData(repo);
        break;
    case "train-injection":
    {
        var data = InjectionSamples.Generate();
        var train = data.Where(d => d.Split == "train").ToList();
        var model = Trainer.Train(train);
        var path = Path.Combine(repo, "src/Attest.Guards/Resources/injection-model.bin");
        await using (var f = File.Create(path)) model.Save(f);
        var test = data.Where(d => d.Split == "test").ToList();
        int correct = test.Count(t => model.Score(TextNormalizer.Normalize(t.Text)) >= 0.5 == t.Injection);
        Console.WriteLine($"trained on {train.Count} texts ({train.Count(t => t.Injection)} injections); Platt A={model.PlattA:0.###} B={model.PlattB:0.###}");
        Console.WriteLine($"held-out accuracy (classifier alone, {test.Count} texts): {(double)correct / test.Count:0.000}");
        Console.WriteLine($"wrote {path}; rebuild Attest.Guards to embed it");
        break;
    }
    case "quality":
        Quality.Run();
        break;
    case "speed":
        Speed.Run();
        break;
    case "stage":
        // One injection stage alone, median µs per 4 KB over a few seconds: -- stage classifier|normalise|signatures|words
        return Speed.Stage(args.Length > 1 ? args[1] : "classifier");
    case "profile":
        // The pipeline alone in a loop (for a sampling profiler): -- profile [seconds] [clean]
        Speed.Loop(args.Length > 1 && int.TryParse(args[1], out var seconds) && seconds > 0 ? seconds : 20, args.Length > 2 && args[2] == "clean");
        break;
    default:
        Console.Error.WriteLine("usage: [gen-data|train-injection|quality|speed|profile [seconds] [clean]]");
        return 2;
}
return 0;

static string FindRepoRoot()
{
    var dir = new DirectoryInfo(AppContext.BaseDirectory);
    while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Attest.slnx"))) dir = dir.Parent;
    return dir?.FullName ?? Directory.GetCurrentDirectory();
}

static void WriteData(string repo)
{
    var dir = Path.Combine(repo, "bench/data/guards");
    Directory.CreateDirectory(dir);
    var opts = new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };
    using (var w = new StreamWriter(Path.Combine(dir, "injection.jsonl")))
        foreach (var s in InjectionSamples.Generate()) w.WriteLine(JsonSerializer.Serialize(new { text = s.Text, label = s.Injection ? "injection" : "benign", mode = s.Mode, family = s.Family, split = s.Split }, opts));
    using (var w = new StreamWriter(Path.Combine(dir, "pii.jsonl")))
        foreach (var (type, gen) in PiiSamples.Positives)
            for (int i = 0; i < 50; i++)
            {
                var (text, value) = gen(new Random(1000 + i));
                w.WriteLine(JsonSerializer.Serialize(new { text, label = type, value }, opts));
                w.WriteLine(JsonSerializer.Serialize(new { text = PiiSamples.Negatives[type](new Random(5000 + i)), label = "none", lookalikeOf = type }, opts));
            }
    using (var w = new StreamWriter(Path.Combine(dir, "secrets.jsonl")))
    {
        foreach (var (id, gen) in SecretSamples.Positives)
            for (int i = 0; i < 5; i++) w.WriteLine(JsonSerializer.Serialize(new { text = gen(new Random(2000 + i)), label = "secret." + id, synthetic = true }, opts));
        foreach (var (kind, gen) in SecretSamples.Negatives)
            for (int i = 0; i < 20; i++) w.WriteLine(JsonSerializer.Serialize(new { text = gen(new Random(3000 + i)), label = "none", lookalike = kind }, opts));
    }
    Console.WriteLine($"wrote {dir}/injection.jsonl, pii.jsonl, secrets.jsonl");
}
