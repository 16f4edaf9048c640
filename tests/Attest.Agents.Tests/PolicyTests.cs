using System.Text.Json;
using Attest.Agents.Gate;
using Attest.Agents.Policy;
using Attest.Core.Config;
using Attest.Core.Identity;

namespace Attest.Agents.Tests;

public sealed class PolicyTests
{
    private static JsonElement J(string json) => JsonDocument.Parse(json).RootElement.Clone();

    [Fact]
    public void Canonical_hash_ignores_key_order_and_whitespace_but_not_values()
    {
        Assert.Equal(CanonicalJson.Hash("""{"b":1,"a":{"y":[1,2],"x":"é"}}"""), CanonicalJson.Hash("""{ "a" : {"x":"\u00e9","y":[1, 2]}, "b":1.0 }"""));
        Assert.NotEqual(CanonicalJson.Hash("""{"a":[1,2]}"""), CanonicalJson.Hash("""{"a":[2,1]}"""));
        Assert.Equal("""{"a":"\n","b":1e+21,"c":0.5}""", CanonicalJson.Canonicalize("""{"c":0.5,"b":1e21,"a":"\n"}"""));
    }

    [Theory]
    [InlineData("amount > 100", """{"amount":101}""", true)]
    [InlineData("amount > 100", """{"amount":100}""", false)]
    [InlineData("amount > 100", """{}""", false)]
    [InlineData("path startsWith \"/data/out\"", """{"path":"/data/out/a.txt"}""", true)]
    [InlineData("path startsWith /data/out", """{"path":"/data/outside"}""", false)]
    [InlineData("path startsWith /data/out", """{"path":"/data/out/../secret"}""", false)]
    [InlineData("amount > 100 and currency == \"EUR\"", """{"amount":500,"currency":"EUR"}""", true)]
    [InlineData("amount > 100 and currency == 'EUR'", """{"amount":500,"currency":"USD"}""", false)]
    [InlineData("amount <= 5 or (urgent == true and not owner.team == \"ops\")", """{"amount":9,"urgent":true,"owner":{"team":"dev"}}""", true)]
    public void Conditions_evaluate_on_arguments(string condition, string args, bool expected) =>
        Assert.Equal(expected, ApprovalCondition.Parse(condition).Evaluate(J(args)));

    [Theory]
    [InlineData("amount >", "column 9")]
    [InlineData("amount = 3", "column 8")]
    [InlineData("(amount > 3", "expected ')'")]
    [InlineData("amount > \"x\"", "needs a number")]
    [InlineData("System.IO.File.Delete(\"x\")", "column")]
    public void Bad_conditions_are_rejected_with_a_position(string condition, string message) =>
        Assert.Contains(message, Assert.Throws<FormatException>(() => ApprovalCondition.Parse(condition)).Message);

    [Theory]
    [InlineData("/data/out/a", "/data/out", true)]
    [InlineData("/data/out", "/data/out/", true)]
    [InlineData("/data/outside/a", "/data/out", false)]
    [InlineData("/data/out/../../etc/passwd", "/data/out", false)]
    [InlineData("/data/./out/x/../y", "/data/out", true)]
    [InlineData("relative/path", "/data", false)]
    [InlineData("/../x", "/", false)]
    public void Paths_are_normalised_before_prefix_checks(string path, string prefix, bool under) =>
        Assert.Equal(under, PathRules.TryNormalize(path, out var n) && PathRules.IsUnder(n, prefix));

    [Fact]
    public void Constraints_check_hosts_maximums_and_path_arrays()
    {
        var c = new ToolConstraintsConfig
        {
            PathArguments = ["paths"], PathPrefixes = ["/srv"], MaxValues = new Dictionary<string, decimal> { ["amount"] = 10 },
            UrlArguments = ["url"], AllowedHosts = ["api.example.com", "*.corp.example"],
        };
        Assert.Null(ToolConstraints.Check(J("""{"paths":["/srv/a","/srv/b"],"amount":10,"url":"https://x.corp.example/a"}"""), c));
        Assert.Equal("paths", ToolConstraints.Check(J("""{"paths":["/srv/a","/etc/b"]}"""), c)?.Param);
        Assert.Equal("amount", ToolConstraints.Check(J("""{"amount":10.01}"""), c)?.Param);
        Assert.Equal("url", ToolConstraints.Check(J("""{"url":"https://evil.example/a"}"""), c)?.Param);
        Assert.Equal("url", ToolConstraints.Check(J("""{"url":"file:///etc/passwd"}"""), c)?.Param);
    }

    [Fact]
    public void Schemas_written_in_yaml_become_typed_json()
    {
        var snap = ConfigLoader.FromText("""
            tools:
              - id: t
                argumentsSchema:
                  type: object
                  additionalProperties: false
                  required: [n]
                  properties:
                    n: { type: integer, maximum: 5 }
                    s: { type: string, enum: ["1", "2"] }
            agents:
              - id: a
                tools: [{ tool: t, approval: never }]
            """);
        var json = YamlJson.ToJson(snap.Tools["t"].ArgumentsSchema)!.ToJsonString();
        Assert.Contains("\"maximum\":5", json);
        Assert.Contains("\"additionalProperties\":false", json);
        Assert.Contains("\"enum\":[\"1\",\"2\"]", json);
        var policy = new ToolCallPolicy(new StaticPolicySource(snap));
        var who = new RequestIdentity { Tenant = "t", Agent = "a" };
        Assert.True(policy.CheckProposed(who, "t", """{"n":5,"s":"1"}""").Allowed);
        Assert.False(policy.CheckProposed(who, "t", """{"n":6}""").Allowed);
        Assert.False(policy.CheckProposed(who, "t", """{"n":1,"x":1}""").Allowed);
        Assert.Contains("tool_not_allowed", policy.CheckProposed(who, "other", "{}").Reason);
        Assert.Contains("agent_unknown", policy.CheckProposed(who with { Agent = "ghost" }, "t", "{}").Reason);
        Assert.Equal("remove", policy.OnDisallowed(who));
    }

    [Fact]
    public void High_impact_tools_need_approval_even_when_the_rule_says_never()
    {
        var snap = ConfigLoader.FromText("""
            tools:
              - id: wire
                impact: critical
              - id: lookup
            agents:
              - id: a
                impact: high
                proposedToolPolicy: block
                tools: [{ tool: wire, approval: never }, { tool: lookup }]
              - id: b
                tools: [{ tool: lookup }, { tool: ghost }]
            """);
        var cat = AgentCatalog.For(snap);
        var a = cat.Agent("a")!;
        Assert.True(GatePolicy.NeedsApproval(a, a.Tools["wire"], J("{}")).Needed);
        Assert.True(GatePolicy.NeedsApproval(a, a.Tools["lookup"], J("{}")).Needed); // by the agent's impact
        var b = cat.Agent("b")!;
        Assert.False(GatePolicy.NeedsApproval(b, b.Tools["lookup"], J("{}")).Needed);
        Assert.False(b.Tools.ContainsKey("ghost")); // undeclared tool: denied by default
        Assert.Equal("block", new ToolCallPolicy(new StaticPolicySource(snap)).OnDisallowed(new RequestIdentity { Tenant = "t", Agent = "a" }));
    }
}
