namespace Attest.Storage.Tests;

/// <summary>The durability settings hold on every connection the pool hands out, not only the first.</summary>
public sealed class SqliteSettingsTests
{
    [Fact]
    public async Task Every_pooled_open_has_full_sync_busy_timeout_and_foreign_keys()
    {
        var dir = Directory.CreateTempSubdirectory("attest-sqlite-settings");
        try
        {
            await using var db = new SqliteDatabase(Path.Combine(dir.FullName, "attest.db"));
            for (var round = 0; round < 3; round++)
            {
                // Two at once forces a second native handle; reopening reuses pooled ones.
                await using var a = await db.OpenAsync();
                await using var b = await db.OpenAsync();
                foreach (var c in new[] { a, b })
                {
                    Assert.Equal(2L, await Scalar(c, "PRAGMA synchronous"));
                    Assert.Equal(30000L, await Scalar(c, "PRAGMA busy_timeout"));
                    Assert.Equal(1L, await Scalar(c, "PRAGMA foreign_keys"));
                    Assert.Equal("wal", (string)(await Raw(c, "PRAGMA journal_mode"))!);
                }
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            dir.Delete(recursive: true);
        }
    }

    private static async Task<long> Scalar(System.Data.Common.DbConnection c, string sql) => Convert.ToInt64(await Raw(c, sql), System.Globalization.CultureInfo.InvariantCulture);

    private static async Task<object?> Raw(System.Data.Common.DbConnection c, string sql)
    {
        await using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        return await cmd.ExecuteScalarAsync();
    }
}
