using Attest.Core.Config;
using Attest.Core.Guards;
using Attest.Core.Identity;
using Attest.Server.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Attest.Server.Tests.Guards;

public class GuardsModuleTests
{
    [Fact]
    public async Task HostProvidesAGuardPipelineThatReadsTheSnapshotAndKeepsAVaultKey()
    {
        var dir = Directory.CreateTempSubdirectory("attest-guards-").FullName;
        try
        {
            var snapshot = ConfigLoader.FromText("""
                version: 1
                tenants:
                  - id: acme
                    canaries: [ATTEST-CANARY-srv123456789]
                guards:
                  - id: g
                    redactionMode: pseudonymize
                """, dir);
            var app = await AttestHost.BuildAsync(new StaticPolicySource(snapshot), new AttestHostOptions { Listen = "http://127.0.0.1:0" });
            await using var _ = app;
            var guards = app.Services.GetRequiredService<IGuardPipeline>();
            var ctx = new GuardContext { Direction = GuardDirection.Input, Identity = new RequestIdentity { Tenant = "acme", EndUser = "u1" }, ConversationId = "c" };
            var input = await guards.EvaluateAsync("mail me at jane@example.com", ctx);
            Assert.Equal("mail me at <EMAIL_1>", input.Text);
            Assert.Equal("hi jane@example.com", guards.Restore("hi <EMAIL_1>", ctx with { Direction = GuardDirection.Output }));
            var leak = await guards.EvaluateAsync("ATTEST-CANARY-srv123456789", ctx with { Direction = GuardDirection.Output });
            Assert.Equal(GuardAction.Block, leak.Action);
            Assert.True(File.Exists(Path.Combine(dir, ".attest", "guard-vault.key")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
