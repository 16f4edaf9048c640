using System.Security.Cryptography;
using Attest.Core.Config;
using Attest.Core.Guards;
using Attest.Core.Identity;
using Attest.Server.Hosting;
using Attest.Server.Tests.Gateway;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Attest.Server.Tests.Guards;

/// <summary>Pseudonym mappings live in the shared database: another replica (own data folder) or a restart restores them.</summary>
public sealed class DurablePseudonymTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("attest-pseudo-").FullName;

    private static readonly GuardContext Input = new()
    {
        Direction = GuardDirection.Input, Identity = new RequestIdentity { Tenant = "acme", EndUser = "u1" }, ConversationId = "conv-1",
    };

    private static GuardContext Output => Input with { Direction = GuardDirection.Output };

    private string MasterKeyFile(string name)
    {
        var path = Path.Combine(_root, name);
        File.WriteAllText(path, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        return path;
    }

    private async Task<WebApplication> ReplicaAsync(string name, string masterKeyFile, TestKeys? keys = null)
    {
        var dir = Path.Combine(_root, name);
        Directory.CreateDirectory(dir);
        var yaml = $$"""
            version: 1
            server: { storage: { kind: sqlite, path: "{{Path.Combine(_root, "shared.db")}}" } }
            audit: { masterKey: { file: "{{masterKeyFile}}" } }
            tenants: [{ id: acme }]
            providers: [{ id: local, type: offline }]
            models: [{ alias: chat-default, targets: [{ provider: local, model: offline-echo-2026-01 }] }]
            guards:
              - id: g
                actions: { input: { pii: redact }, output: { pii: flag } }
                redactionMode: pseudonymize
            """;
        var app = await AttestHost.BuildAsync(new StaticPolicySource(ConfigLoader.FromText(yaml, dir)),
            new AttestHostOptions
            {
                Listen = "http://127.0.0.1:0",
                LogLevel = LogLevel.Warning,
                ConfigureServices = s => { if (keys is not null) s.AddSingleton<Server.Gateway.IKeyAuthenticator>(keys); },
            });
        await app.StartAsync();
        return app;
    }

    [Fact]
    public async Task A_mapping_made_by_one_replica_is_restored_by_another_buffered_and_streamed_and_after_a_restart()
    {
        var key = MasterKeyFile("master.key");
        await using (var a = await ReplicaAsync("a", key))
        {
            var verdict = await a.Services.GetRequiredService<IGuardPipeline>().EvaluateAsync("write to jane@example.com and bob@example.org", Input);
            Assert.Equal("write to <EMAIL_1> and <EMAIL_2>", verdict.Text);
            await a.StopAsync();
        }

        await using var b = await ReplicaAsync("b", key);
        var guards = b.Services.GetRequiredService<IGuardPipeline>();
        Assert.Equal("Sent to jane@example.com.", guards.Restore("Sent to <EMAIL_1>.", Output));
        Assert.Equal("cc <EMAIL_2>, then <EMAIL_3>", (await guards.EvaluateAsync("cc bob@example.org, then eve@example.net", Input)).Text);

        var stream = guards.BeginStream(Output);
        var steps = new[] { "Hello <EM", "AIL_1>, I wrote to <", "EMAIL_3> too." }.Select(stream.Push).ToList();
        steps.Add(stream.Complete());
        Assert.All(steps, s => Assert.Null(s.Block));
        var released = string.Concat(steps.Select(s => s.Release));
        Assert.Equal("Hello jane@example.com, I wrote to eve@example.net too.", released);

        // Another caller in the same conversation id has another scope: nothing is restored for them.
        var stranger = Output with { Identity = Output.Identity with { EndUser = "u2" } };
        Assert.Equal("Sent to <EMAIL_1>.", guards.Restore("Sent to <EMAIL_1>.", stranger));
    }

    [Fact]
    public async Task A_replica_with_another_master_key_cannot_restore()
    {
        await using var a = await ReplicaAsync("a", MasterKeyFile("one.key"));
        Assert.Equal("to <EMAIL_1>", (await a.Services.GetRequiredService<IGuardPipeline>().EvaluateAsync("to jane@example.com", Input)).Text);
        await using var b = await ReplicaAsync("b", MasterKeyFile("two.key"));
        Assert.Equal("to <EMAIL_1>", b.Services.GetRequiredService<IGuardPipeline>().Restore("to <EMAIL_1>", Output));
    }

    [Fact]
    public async Task Through_the_gateway_a_second_replica_restores_the_first_ones_placeholders_buffered_and_streamed()
    {
        var key = MasterKeyFile("master.key");
        var keys = new TestKeys();
        keys.Add("atk_pseudo_0123456789", scopes: ["chat"]);
        await using var a = await ReplicaAsync("a", key, keys);
        await using var b = await ReplicaAsync("b", key, keys);

        async Task<(int Status, string Text)> ChatAsync(WebApplication replica, string user, string prompt, bool stream)
        {
            using var http = new HttpClient { BaseAddress = new Uri(AttestHost.BoundAddress(replica) + "/") };
            http.DefaultRequestHeaders.Authorization = new("Bearer", "atk_pseudo_0123456789");
            http.DefaultRequestHeaders.Add("x-attest-conversation", "conv-http");
            http.DefaultRequestHeaders.Add("x-attest-user", user);
            var (status, body, _, text) = await Http.PostAsync(http, "v1/chat/completions", Http.Chat("chat-default", prompt, stream));
            if (!stream) return (status, body?["choices"]?[0]?["message"]?["content"]?.GetValue<string>() ?? text);
            var deltas = Http.Events(text).Where(e => e != "[DONE]").Select(e => System.Text.Json.Nodes.JsonNode.Parse(e)?["choices"]?[0]?["delta"]?["content"]?.GetValue<string>());
            return (status, string.Concat(deltas));
        }

        // Replica A pseudonymises the address before the model sees it (the offline model echoes what it got).
        Assert.Equal((200, "You said: Please email jane@example.com"), await ChatAsync(a, "u1", "Please email jane@example.com", stream: false));
        // Replica B never saw the address, yet restores the placeholder the model answers with, buffered and streamed.
        Assert.Equal((200, "You said: Did jane@example.com reply?"), await ChatAsync(b, "u1", "Did <EMAIL_1> reply?", stream: false));
        Assert.Equal((200, "You said: Did jane@example.com reply?"), await ChatAsync(b, "u1", "Did <EMAIL_1> reply?", stream: true));
        // Another end user in the same conversation id gets nothing restored.
        Assert.Equal((200, "You said: Did <EMAIL_1> reply?"), await ChatAsync(b, "u2", "Did <EMAIL_1> reply?", stream: false));
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }
}
