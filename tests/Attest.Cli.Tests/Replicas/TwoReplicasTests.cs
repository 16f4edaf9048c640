using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace Attest.Cli.Tests.Replicas;

/// <summary>
/// Two real <c>attest serve</c> processes on one PostgreSQL database and one Redis: limits and budgets are
/// shared, revocation holds on both, there is one audit log that verifies, and an approval requested through one
/// replica is decided through the other and used through either.
/// </summary>
public sealed class TwoReplicasTests(ITestOutputHelper output)
{
    private const int TokensPerMinute = 150;

    [Fact]
    public async Task Two_replicas_share_budgets_revocation_approvals_and_one_verifiable_audit_log()
    {
        await using var tool = await EchoToolServer.StartAsync();
        var (env, reason) = await ReplicaEnvironment.TryCreateAsync(tool.Url);
        if (env is null)
        {
            output.WriteLine($"skipped: {reason} (set ATTEST_REQUIRE_SERVERS=1 to make this a failure)");
            return;
        }
        try { await RunAsync(env, tool); }
        finally { await env.DropDatabaseAsync(); }
    }

    private async Task RunAsync(ReplicaEnvironment env, EchoToolServer tool)
    {
        var childEnv = env.ChildEnvironment;
        var validate = await AttestProcess.RunAsync(childEnv, "config", "validate", env.ConfigPath);
        Assert.True(validate.Code == 0, validate.Err + validate.Out);
        var admin = await AttestProcess.RunAsync(childEnv, "keys", "create", "--config", env.ConfigPath, "--tenant", "acme", "--scopes", "admin", "--json");
        Assert.True(admin.Code == 0, admin.Err);
        var adminKey = JsonDocument.Parse(admin.Out).RootElement.GetProperty("key").GetString()!;

        // Started one after the other: the first creates the data folder's audit keys, the second reuses them.
        await using var a = await AttestProcess.StartServeAsync(env.ConfigPath, childEnv);
        await using var b = await AttestProcess.StartServeAsync(env.ConfigPath, childEnv);
        using var httpA = new HttpClient { BaseAddress = a.BaseUrl, Timeout = TimeSpan.FromSeconds(15) };
        using var httpB = new HttpClient { BaseAddress = b.BaseUrl, Timeout = TimeSpan.FromSeconds(15) };
        var before = await VerifyAsync(env, childEnv);

        try
        {
            await SharedBudget(httpA, httpB, adminKey);
            await RevocationOnOneReplicaHoldsOnTheOther(httpA, httpB, adminKey);
            await ApprovalCrossesReplicas(httpA, httpB, adminKey, tool);
        }
        catch
        {
            output.WriteLine("replica A log:\n" + a.Log + "\nreplica B log:\n" + b.Log);
            throw;
        }

        var after = await VerifyAsync(env, childEnv);
        // 4 keys created, >= 2 chats, 1 revocation, approval requested/granted/used, 2 tool calls and results.
        Assert.True(after - before >= 12, $"the log grew by {after - before} entries only");
        var export = Path.Combine(env.Directory, "export.jsonl");
        var exported = await AttestProcess.RunAsync(childEnv, "audit", "export", "--config", env.ConfigPath, "--out", export);
        Assert.True(exported.Code == 0, exported.Err);
        var entries = await ReadExportAsync(export);
        foreach (var type in new[] { "key.created", "key.revoked", "approval.requested", "approval.granted", "approval.used", "tool.call", "tool.result" })
            Assert.Contains(entries, e => e.Type == type);
        // The chats of the budget phase carried x-request-id replica-a-N / replica-b-N: both replicas wrote to the one log.
        foreach (var replica in new[] { "replica-a-", "replica-b-" })
        {
            Assert.Contains(entries, e => e.Type == "chat.request" && e.RequestId?.StartsWith(replica, StringComparison.Ordinal) == true);
            Assert.Contains(entries, e => e.Type == "chat.denied" && e.RequestId?.StartsWith(replica, StringComparison.Ordinal) == true);
        }
        Assert.True(entries.Count(e => e.Type == "config.applied") >= 3, "each process (CLI, A, B) records the config it started with");
        try { Directory.Delete(env.Directory, true); } catch (IOException) { }
    }

    /// <summary>A key with a small tokens-per-minute budget, used alternately on A and B, stops within the budget on both.</summary>
    private async Task SharedBudget(HttpClient httpA, HttpClient httpB, string adminKey)
    {
        // Keep the whole phase inside one UTC minute window.
        var now = DateTimeOffset.UtcNow;
        if (now.Second >= 45) await Task.Delay(TimeSpan.FromSeconds(61 - now.Second));
        var key = await CreateKeyAsync(httpA, adminKey, new JsonObject { ["scopes"] = new JsonArray("chat"), ["tpm"] = TokensPerMinute });
        long acceptedTokens = 0;
        var accepted = new[] { 0, 0 };
        var refused = new[] { 0, 0 };
        for (var i = 0; i < 60 && (refused[0] == 0 || refused[1] == 0); i++)
        {
            var replica = i % 2;
            using var response = await Send(replica == 0 ? httpA : httpB, HttpMethod.Post, "v1/chat/completions", key, new JsonObject
            {
                ["model"] = "chat-default",
                ["max_tokens"] = 8,
                ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = $"status report {i}" }),
            }, $"replica-{(replica == 0 ? 'a' : 'b')}-{i}");
            var body = await JsonNode.ParseAsync(await response.Content.ReadAsStreamAsync());
            if (response.StatusCode == HttpStatusCode.OK)
            {
                accepted[replica]++;
                acceptedTokens += body!["usage"]!["total_tokens"]!.GetValue<long>();
            }
            else
            {
                Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
                Assert.Equal("rate_limit_tpm_key", body!["error"]!["code"]!.GetValue<string>());
                Assert.True(response.Headers.RetryAfter is not null, "429 without Retry-After");
                refused[replica]++;
            }
        }
        output.WriteLine($"budget {TokensPerMinute} tpm: accepted A={accepted[0]} B={accepted[1]} ({acceptedTokens} tokens), refused A={refused[0]} B={refused[1]}");
        Assert.True(accepted[0] > 0 && accepted[1] > 0, "both replicas should serve some requests before the budget runs out");
        Assert.True(refused[0] > 0 && refused[1] > 0, "both replicas should refuse once the shared budget is spent");
        Assert.InRange(acceptedTokens, 1, TokensPerMinute);
    }

    private static async Task RevocationOnOneReplicaHoldsOnTheOther(HttpClient httpA, HttpClient httpB, string adminKey)
    {
        using var created = await Send(httpB, HttpMethod.Post, "admin/keys", adminKey, new JsonObject { ["scopes"] = new JsonArray("chat") });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var json = await created.Content.ReadFromJsonAsync<JsonElement>();
        var (id, key) = (json.GetProperty("id").GetString()!, json.GetProperty("key").GetString()!);
        var chat = new JsonObject
        {
            ["model"] = "chat-default", ["max_tokens"] = 4,
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "hello" }),
        };
        using (var ok = await Send(httpA, HttpMethod.Post, "v1/chat/completions", key, chat.DeepClone()))
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        using (var revoke = await Send(httpB, HttpMethod.Post, $"admin/keys/{id}/revoke", adminKey, null))
            Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        using var refused = await Send(httpA, HttpMethod.Post, "v1/chat/completions", key, chat.DeepClone());
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("key_revoked", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetProperty("code").GetString());
    }

    private static async Task ApprovalCrossesReplicas(HttpClient httpA, HttpClient httpB, string adminKey, EchoToolServer tool)
    {
        var agentKey = await CreateKeyAsync(httpA, adminKey, new JsonObject { ["agent"] = "ops-agent", ["scopes"] = new JsonArray("tools") });
        var approverKey = await CreateKeyAsync(httpB, adminKey, new JsonObject { ["principal"] = "dana", ["scopes"] = new JsonArray("approve") });
        var call = new JsonObject { ["arguments"] = new JsonObject { ["ticket"] = "INC-42", ["action"] = "restart" } };

        using var pending = await Send(httpA, HttpMethod.Post, "v1/tools/echo/invoke", agentKey, call.DeepClone());
        Assert.Equal(HttpStatusCode.Accepted, pending.StatusCode);
        var pendingJson = await pending.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("approval_required", pendingJson.GetProperty("error").GetProperty("code").GetString());
        var approvalId = pendingJson.GetProperty("approval").GetProperty("id").GetString()!;
        Assert.Equal(0, tool.Calls);

        using (var listed = await Send(httpB, HttpMethod.Get, "v1/approvals?state=pending", approverKey, null))
        {
            Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
            Assert.Contains(approvalId, await listed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        using (var approve = await Send(httpB, HttpMethod.Post, $"v1/approvals/{approvalId}/approve", approverKey, new JsonObject { ["reason"] = "restart agreed in INC-42" }))
            Assert.True(approve.StatusCode == HttpStatusCode.OK, await approve.Content.ReadAsStringAsync());

        var retry = call.DeepClone().AsObject();
        retry["approval_id"] = approvalId;
        using (var done = await Send(httpB, HttpMethod.Post, "v1/tools/echo/invoke", agentKey, retry.DeepClone()))
        {
            var text = await done.Content.ReadAsStringAsync();
            Assert.True(done.StatusCode == HttpStatusCode.OK, text);
            var result = JsonDocument.Parse(text).RootElement;
            Assert.Equal("INC-42", result.GetProperty("result").GetProperty("echo").GetProperty("ticket").GetString());
            Assert.Equal(approvalId, result.GetProperty("approval_id").GetString());
        }
        Assert.Equal(1, tool.Calls);

        // Single use across replicas: the same approval presented to A is already spent.
        using var again = await Send(httpA, HttpMethod.Post, "v1/tools/echo/invoke", agentKey, retry.DeepClone());
        Assert.NotEqual(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal("approval_used", (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(1, tool.Calls);
    }

    private static async Task<long> VerifyAsync(ReplicaEnvironment env, IReadOnlyDictionary<string, string> childEnv)
    {
        var (code, stdout, stderr) = await AttestProcess.RunAsync(childEnv, "audit", "verify", "--config", env.ConfigPath, "--json");
        Assert.True(code == 0, $"attest audit verify exited {code}: {stdout} {stderr}");
        var report = JsonDocument.Parse(stdout).RootElement;
        Assert.True(report.GetProperty("ok").GetBoolean(), stdout);
        return report.GetProperty("entries").GetInt64();
    }

    private static async Task<string> CreateKeyAsync(HttpClient http, string adminKey, JsonObject request)
    {
        using var created = await Send(http, HttpMethod.Post, "admin/keys", adminKey, request);
        var text = await created.Content.ReadAsStringAsync();
        Assert.True(created.StatusCode == HttpStatusCode.Created, text);
        return JsonDocument.Parse(text).RootElement.GetProperty("key").GetString()!;
    }

    private sealed record ExportedEntry(string Type, string? RequestId);

    private static async Task<List<ExportedEntry>> ReadExportAsync(string path)
    {
        var entries = new List<ExportedEntry>();
        foreach (var line in await File.ReadAllLinesAsync(path))
        {
            using var doc = JsonDocument.Parse(line);
            if (doc.RootElement.GetProperty("kind").GetString() != "entry") continue;
            using var entry = JsonDocument.Parse(doc.RootElement.GetProperty("entry").GetString()!);
            var e = entry.RootElement;
            var rid = e.TryGetProperty("attrs", out var attrs) && attrs.TryGetProperty("request_id", out var r) ? r.GetString() : null;
            entries.Add(new ExportedEntry(e.GetProperty("type").GetString()!, rid));
        }
        return entries;
    }

    private static Task<HttpResponseMessage> Send(HttpClient http, HttpMethod method, string path, string key, JsonNode? body, string? requestId = null)
    {
        var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        if (requestId is not null) request.Headers.Add("x-request-id", requestId);
        if (body is not null) request.Content = JsonContent.Create(body);
        return http.SendAsync(request);
    }
}
