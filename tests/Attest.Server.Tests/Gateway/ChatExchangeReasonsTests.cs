using Attest.Core.Config;
using Attest.Core.Identity;
using Attest.Server.Gateway;
using Microsoft.AspNetCore.Http;

namespace Attest.Server.Tests.Gateway;

/// <summary><see cref="ChatExchange.AddReasons"/> (the guard stage's allocation-free merge) against the LINQ it replaced.</summary>
public sealed class ChatExchangeReasonsTests
{
    private static readonly PolicySnapshot Policy = ConfigLoader.FromText("""
        version: 1
        tenants: [{id: acme}]
        """);

    private static ChatExchange NewExchange() => new()
    {
        Http = new DefaultHttpContext(),
        Policy = Policy,
        Identity = new RequestIdentity { Tenant = "acme", KeyId = "k" },
        Key = new VirtualKey { Id = "k", Tenant = "acme", DisplayPrefix = "atk_k" },
        Body = [],
        Alias = "chat",
        Stream = false,
    };

    [Fact]
    public void Merging_reasons_keeps_order_drops_duplicates_and_equals_AddRange_of_Except()
    {
        var rng = new Random(20261122);
        string[] pool = ["pii", "secret", "injection", "PII", "toxicity", "schema", "guard_fault"];
        for (var run = 0; run < 500; run++)
        {
            var fast = NewExchange();
            var reference = new List<string>();
            for (var step = 0; step < rng.Next(1, 5); step++)
            {
                string[] more = [.. Enumerable.Range(0, rng.Next(0, 6)).Select(_ => pool[rng.Next(pool.Length)])];
                fast.AddReasons(more);
                reference.AddRange(more.Except(reference, StringComparer.Ordinal));
                Assert.Equal(reference, fast.Reasons);
            }
        }
        var x = NewExchange();
        x.AddReasons(["pii", "pii", "PII", "secret"]);
        Assert.Equal(["pii", "PII", "secret"], x.Reasons);
        x.AddReasons([]);
        x.AddReasons(["secret", "injection"]);
        Assert.Equal(["pii", "PII", "secret", "injection"], x.Reasons);
    }
}
