using Attest.Storage.Keys;

namespace Attest.Storage.Tests.Keys;

public class KeyPepperTests
{
    [Fact]
    public void Load_creates_a_0600_file_once_and_hashes_are_stable_across_loads()
    {
        if (Environment.GetEnvironmentVariable(KeyPepper.EnvironmentVariable) is not null) return; // the file path is not used then
        var dir = Path.Combine(Path.GetTempPath(), "attest-tests", Guid.NewGuid().ToString("n"));
        var first = KeyPepper.Load(dir);
        var path = Path.Combine(dir, KeyPepper.FileName);
        Assert.True(File.Exists(path));
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        var second = KeyPepper.Load(dir);
        Assert.Equal(first.Hash("atk_example"), second.Hash("atk_example"));
        Assert.NotEqual(first.Hash("atk_example"), KeyPepper.Load(dir + "-other").Hash("atk_example"));
    }

    [Fact]
    public void Keys_have_the_prefix_enough_entropy_and_a_short_display_prefix()
    {
        var keys = Enumerable.Range(0, 200).Select(_ => KeyMaterial.NewKey()).ToList();
        Assert.All(keys, k => Assert.StartsWith("atk_", k));
        Assert.All(keys, k => Assert.Equal(47, k.Length));
        Assert.All(keys, k => Assert.True(KeyMaterial.LooksValid(k)));
        Assert.Equal(keys.Count, keys.Distinct().Count());
        Assert.Equal("atk_abcdef", KeyMaterial.DisplayPrefix("atk_abcdefghijk"));
    }

    [Theory]
    [InlineData("atk_example")]
    [InlineData("")]
    [InlineData("clé-ünïcödé-🔑")]
    [InlineData(null)] // long: 4,000 characters, past the stack buffer
    public void Hash_is_the_hex_HMAC_SHA256_of_the_UTF8_key_under_the_pepper(string? key)
    {
        key ??= string.Concat(Enumerable.Repeat("é0123456789", 400));
        var secret = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
        var expected = Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(secret, System.Text.Encoding.UTF8.GetBytes(key)));
        Assert.Equal(expected, new KeyPepper(secret).Hash(key));
    }
}
