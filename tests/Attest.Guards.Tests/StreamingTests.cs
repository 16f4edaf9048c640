using Attest.Core.Guards;

namespace Attest.Guards.Tests;

public class StreamingTests
{
    private static (string Released, GuardVerdict? Block) Run(IStreamingGuardSession s, IEnumerable<string> chunks)
    {
        var released = "";
        foreach (var c in chunks)
        {
            var step = s.Push(c);
            released += step.Release;
            if (step.Block is not null) return (released, step.Block);
        }
        var end = s.Complete();
        return (released + end.Release, end.Block);
    }

    [Fact]
    public void SecretSplitAtEveryOffsetIsBlockedBeforeAnyOfItIsReleased()
    {
        const string key = "ghp_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5";
        var text = "Here is the token you asked for: " + key + " — keep it safe.";
        var p = TestPipelines.Default();
        for (int cut = 1; cut < text.Length; cut++)
        {
            var (released, block) = Run(p.BeginStream(TestPipelines.Ctx(GuardDirection.Output)), [text[..cut], text[cut..]]);
            Assert.NotNull(block);
            Assert.DoesNotContain("ghp_aB3", released);
        }
    }

    [Fact]
    public void SecretStreamedCharByCharIsBlocked()
    {
        var text = "config: AKIAQ3EGRZ7PLM4KXW2D done";
        var (released, block) = Run(TestPipelines.Default().BeginStream(TestPipelines.Ctx(GuardDirection.Output)), text.Select(c => c.ToString()));
        Assert.NotNull(block);
        Assert.Equal(GuardAction.Block, block.Action);
        Assert.DoesNotContain("AKIA", released);
    }

    [Fact]
    public void CleanStreamIsReleasedCompletelyAndIncrementally()
    {
        var text = string.Concat(Enumerable.Repeat("The quick brown fox jumps over the lazy dog. ", 20));
        var s = TestPipelines.Default().BeginStream(TestPipelines.Ctx(GuardDirection.Output));
        var released = "";
        int earlyReleases = 0;
        for (int i = 0; i < text.Length; i += 10)
        {
            var step = s.Push(text.Substring(i, Math.Min(10, text.Length - i)));
            Assert.Null(step.Block);
            if (step.Release.Length > 0) earlyReleases++;
            released += step.Release;
        }
        released += s.Complete().Release;
        Assert.Equal(text, released);
        Assert.True(earlyReleases > 50);
    }

    [Fact]
    public void PiiRedactedInStreamWhenPolicySaysSo()
    {
        var p = TestPipelines.Default("version: 1\nguards:\n  - id: g\n    actions:\n      output: { pii.email: redact }\n");
        var text = "You can write to jane.doe@example.com for help.";
        for (int cut = 1; cut < text.Length; cut++)
        {
            var (released, block) = Run(p.BeginStream(TestPipelines.Ctx(GuardDirection.Output)), [text[..cut], text[cut..]]);
            Assert.Null(block);
            Assert.Equal("You can write to <EMAIL_1> for help.", released);
        }
    }

    [Fact]
    public async Task PseudonymsRestoredInStreamWithPlaceholderSplitAnywhere()
    {
        var p = TestPipelines.Default("version: 1\nguards:\n  - id: g\n    redactionMode: pseudonymize\n");
        var ctx = TestPipelines.Ctx(GuardDirection.Input, conversation: "c9");
        var input = await p.EvaluateAsync("I am jane@example.com", ctx);
        Assert.Equal("I am <EMAIL_1>", input.Text);
        var answer = "Hello <EMAIL_1>, we saved <EMAIL_1> to your profile.";
        var outCtx = TestPipelines.Ctx(GuardDirection.Output, conversation: "c9");
        for (int cut = 1; cut < answer.Length; cut++)
        {
            var (released, block) = Run(p.BeginStream(outCtx), [answer[..cut], answer[cut..]]);
            Assert.Null(block);
            Assert.Equal("Hello jane@example.com, we saved jane@example.com to your profile.", released);
        }
        var (charByChar, _) = Run(p.BeginStream(outCtx), answer.Select(c => c.ToString()));
        Assert.Equal("Hello jane@example.com, we saved jane@example.com to your profile.", charByChar);
    }

    [Fact]
    public void BlockedSessionStaysBlocked()
    {
        var s = TestPipelines.Default().BeginStream(TestPipelines.Ctx(GuardDirection.Output));
        Assert.NotNull(s.Push("key AKIAQ3EGRZ7PLM4KXW2D").Block);
        Assert.NotNull(s.Push("more text").Block);
        Assert.NotNull(s.Complete().Block);
    }
}
