namespace Attest.Agents.Tests;

internal static class TestEnvironment
{
    /// <summary>The filesystem MCP server's entry point: $ATTEST_TEST_NODE_MODULES, else eng/npm/node_modules above the test folder.</summary>
    public static string FilesystemServer()
    {
        var modules = Environment.GetEnvironmentVariable("ATTEST_TEST_NODE_MODULES");
        if (string.IsNullOrEmpty(modules))
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "eng", "npm", "node_modules");
                if (File.Exists(Path.Combine(dir.FullName, "Attest.slnx")) && Directory.Exists(candidate)) { modules = candidate; break; }
            }
        }
        var entry = Path.Combine(modules ?? "", "@modelcontextprotocol", "server-filesystem", "dist", "index.js");
        if (!File.Exists(entry)) throw new InvalidOperationException("the MCP filesystem server is not installed: run 'npm install' in eng/npm (eng/test.sh does)");
        return entry;
    }

    public static string TempDir()
    {
        var d = Path.Combine(Path.GetTempPath(), "attest-agents-tests", Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(d);
        // The filesystem server resolves real paths; /tmp may be a symlink elsewhere.
        return new DirectoryInfo(d).ResolveLinkTarget(true)?.FullName ?? d;
    }
}
