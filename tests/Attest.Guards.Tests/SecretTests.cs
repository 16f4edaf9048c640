using Attest.Bench.Guards.Data;
using Attest.Guards.Secrets;

namespace Attest.Guards.Tests;

public class SecretTests
{
    private static readonly SecretGuard Guard = new();

    public static TheoryData<string> RuleIds() => [.. SecretRules.All.Select(r => r.Id)];
    public static TheoryData<string> NegativeKinds() => [.. SecretSamples.Negatives.Keys];

    [Fact]
    public void AtLeastSixtyFormats() => Assert.True(SecretRules.All.Count >= 60, $"{SecretRules.All.Count} rules");

    [Theory]
    [MemberData(nameof(RuleIds))]
    public void EveryRuleFindsItsFormat(string id)
    {
        Assert.True(SecretSamples.Positives.TryGetValue(id, out var gen), $"no sample generator for {id}");
        for (int seed = 0; seed < 20; seed++)
        {
            var text = gen(new Random(seed * 7919 + id.Length));
            var findings = TestPipelines.Scan(Guard, text);
            Assert.True(findings.Any(f => f.Type == "secret." + id), $"{id} not found in sample {seed}: got [{string.Join(",", findings.Select(f => f.Type))}]");
        }
    }

    [Theory]
    [MemberData(nameof(NegativeKinds))]
    public void LookAlikesAreNotSecrets(string kind)
    {
        for (int seed = 0; seed < 50; seed++)
        {
            var text = SecretSamples.Negatives[kind](new Random(seed));
            var findings = TestPipelines.Scan(Guard, text);
            Assert.True(findings.Count == 0, $"{kind} sample {seed} flagged as {string.Join(",", findings.Select(f => f.Type))}");
        }
    }

    [Fact]
    public void UriFindingCoversOnlyThePassword()
    {
        const string text = "DATABASE_URL=postgres://app:S3cr3tPassw0rd@db:5432/app";
        var f = Assert.Single(TestPipelines.Scan(Guard, text));
        Assert.Equal("S3cr3tPassw0rd", text.Substring(f.Start, f.Length));
    }

    [Fact]
    public void EntropyTellsRandomFromWords()
    {
        Assert.True(Entropy.Shannon("aB3xQ9kL2mN7pR4t") > Entropy.Shannon("passwordpassword"));
        Assert.True(Entropy.IsUuid("123e4567-e89b-12d3-a456-426614174000"));
        Assert.True(Entropy.IsHexDigest(new string('a', 64)));
        Assert.True(Entropy.IsPlaceholder("${SECRET}"));
    }
}
