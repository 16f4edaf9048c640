using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Attest.Audit.Log;
using Attest.Audit.Merkle;
using Attest.Core.Audit;
using Attest.Core.Config;
using Attest.Server.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Attest.Server.Tests.Audit;

public class AuditApiTests
{
    [Fact]
    public async Task Proof_endpoints_serve_verifiable_proofs_and_reject_bad_input()
    {
        var dir = Path.Combine(Path.GetTempPath(), "attest-audit-api-" + Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(dir);
        var snapshot = ConfigLoader.FromText("version: 1\naudit:\n  checkpointEvery: 10\n", dir);
        await using var app = await AttestHost.BuildAsync(new StaticPolicySource(snapshot), new AttestHostOptions { Listen = "http://127.0.0.1:0" });
        await app.StartAsync();
        var log = app.Services.GetRequiredService<IAuditLog>();
        // The host records its starting config version (config.applied) before it serves; 24 more make 25 entries.
        for (var i = 0; i < 24; i++) await log.AppendAsync(new AuditRecord { Type = AuditEventTypes.ToolCall, Tenant = "acme" });
        await app.Services.GetRequiredService<AuditLog>().CheckpointAsync();

        using var http = new HttpClient { BaseAddress = new Uri(AttestHost.BoundAddress(app)) };
        using (var anonymous = await http.GetAsync("/v1/audit/checkpoints/latest"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            Assert.Equal("missing_api_key", JsonDocument.Parse(await anonymous.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetProperty("code").GetString());
        }
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "test");
        var latest = JsonDocument.Parse(await http.GetStringAsync("/v1/audit/checkpoints/latest")).RootElement;
        Assert.Equal(25, latest.GetProperty("size").GetInt64());

        var inc = JsonDocument.Parse(await http.GetStringAsync("/v1/audit/proofs/inclusion?index=7&size=25")).RootElement;
        Assert.True(MerkleVerifier.VerifyInclusion(Convert.FromHexString(inc.GetProperty("leafHash").GetString()!), 7, 25,
            [.. inc.GetProperty("proof").EnumerateArray().Select(h => Convert.FromHexString(h.GetString()!))],
            Convert.FromBase64String(latest.GetProperty("root").GetString()!)));

        var con = JsonDocument.Parse(await http.GetStringAsync("/v1/audit/proofs/consistency?from=10&to=25")).RootElement;
        Assert.True(MerkleVerifier.VerifyConsistency(10, 25, Convert.FromHexString(con.GetProperty("fromRoot").GetString()!),
            Convert.FromHexString(con.GetProperty("toRoot").GetString()!),
            [.. con.GetProperty("proof").EnumerateArray().Select(h => Convert.FromHexString(h.GetString()!))]));

        foreach (var bad in new[] { "/v1/audit/proofs/inclusion?index=30&size=25", "/v1/audit/proofs/inclusion?index=x", "/v1/audit/proofs/consistency?from=5&to=99", "/v1/audit/proofs/consistency?to=3" })
        {
            using var r = await http.GetAsync(bad);
            Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
            var error = JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
            Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        }
        var keys = JsonDocument.Parse(await http.GetStringAsync("/v1/audit/public-key")).RootElement.GetProperty("keys");
        Assert.Contains("BEGIN PUBLIC KEY", keys[0].GetProperty("pem").GetString(), StringComparison.Ordinal);
        await app.StopAsync();
    }
}
