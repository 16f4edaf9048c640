using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Attest.Core.Audit;
using Attest.Server.Tests.Gateway;

namespace Attest.Server.Tests.Retrieval;

/// <summary>Retrieval resolves the end user through the same resolver as the gateway, on-behalf-of tokens included.</summary>
public class RetrievalOboTests
{
    private static HttpRequestMessage Retrieve(string? token, object body, string key = "acme-app")
    {
        var m = new HttpRequestMessage(HttpMethod.Post, "v1/retrieve") { Content = JsonContent.Create(body) };
        m.Headers.Authorization = new("Bearer", key);
        if (token is not null) m.Headers.Add("x-attest-obo", token);
        return m;
    }

    private static async Task SeedAsync(RetrievalTestHost h)
    {
        var m = new HttpRequestMessage(HttpMethod.Post, "v1/documents")
        {
            Content = JsonContent.Create(new
            {
                documents = new[]
                {
                    new { id = "expenses", connector = "wiki", text = "Expense policy: finance approves travel above 500 euros.", acl = new { allow = new[] { "group:finance" } } },
                    new { id = "oncall", connector = "wiki", text = "Expense policy for engineering: on-call is paid monthly.", acl = new { allow = new[] { "group:engineering" } } },
                },
            }),
        };
        m.Headers.Authorization = new("Bearer", "acme-app");
        using var r = await h.Http.SendAsync(m);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(RetrievalTestHost h, HttpRequestMessage m)
    {
        using var r = await h.Http.SendAsync(m);
        return (r.StatusCode, JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    private static List<string> Ids(JsonElement body) => [.. body.GetProperty("data").EnumerateArray().Select(e => e.GetProperty("document_id").GetString()!)];

    [Fact]
    public async Task A_valid_token_names_the_end_user_and_their_groups_and_is_carried_into_the_audit_record()
    {
        await using var h = await RetrievalTestHost.StartAsync();
        await SeedAsync(h);

        var (status, body) = await SendAsync(h, Retrieve(Obo.Token("alice", groups: []), new { query = "expense policy" }));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["expenses"], Ids(body)); // alice's configured groups
        var query = h.Audit.Records.Last(a => a.Type == AuditEventTypes.RetrievalQuery);
        Assert.Equal("alice", query.Actor.EndUser);
        Assert.Equal("k1", query.Actor.KeyId);

        // Groups asserted by the signed token count too; a group declared for another tenant never does.
        (status, body) = await SendAsync(h, Retrieve(Obo.Token("carol", groups: ["engineering"]), new { query = "expense policy", user = "carol" }));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["oncall"], Ids(body));
        Assert.Equal("carol", h.Audit.Records.Last(a => a.Type == AuditEventTypes.RetrievalQuery).Actor.EndUser);
        (status, body) = await SendAsync(h, Retrieve(Obo.Token("carol", groups: ["globex-staff"]), new { query = "expense policy" }));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Empty(Ids(body));
    }

    public static TheoryData<string, string> BadTokens => new()
    {
        { Obo.Token("alice", secret: "another-signing-key-0123456789abcdef"), "bad signature" },
        { Obo.Token("alice", expires: DateTime.UtcNow.AddMinutes(-5)), "expired" },
        { "not-a-jwt", "malformed" },
    };

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task A_bad_token_is_refused_with_401_and_the_refusal_is_recorded(string token, string reason)
    {
        await using var h = await RetrievalTestHost.StartAsync();
        await SeedAsync(h);
        var (status, body) = await SendAsync(h, Retrieve(token, new { query = "expense policy", user = "alice" }));
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        var error = body.GetProperty("error");
        Assert.Equal("invalid_obo_token", error.GetProperty("code").GetString());
        Assert.Equal("authentication_error", error.GetProperty("type").GetString());
        Assert.Contains(reason, error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.True(error.TryGetProperty("param", out _));
        Assert.DoesNotContain(h.Audit.Records, a => a.Type == AuditEventTypes.RetrievalQuery);
        var denied = h.Audit.Records.Last(a => a.Type == AuditEventTypes.RetrievalDenied);
        Assert.Equal("invalid_obo_token", denied.Attributes["code"]);
        Assert.Null(denied.Actor.EndUser); // the unverified user is not taken as the actor
    }

    [Fact]
    public async Task A_token_for_another_tenants_user_or_a_different_claimed_user_is_refused()
    {
        await using var h = await RetrievalTestHost.StartAsync();
        await SeedAsync(h);
        var (status, body) = await SendAsync(h, Retrieve(Obo.Token("gina"), new { query = "expense policy" }));
        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Equal("user_wrong_tenant", body.GetProperty("error").GetProperty("code").GetString());

        (status, body) = await SendAsync(h, Retrieve(Obo.Token("bob"), new { query = "expense policy", user = "alice" }));
        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Equal("obo_user_mismatch", body.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal("user", body.GetProperty("error").GetProperty("param").GetString());
    }
}
