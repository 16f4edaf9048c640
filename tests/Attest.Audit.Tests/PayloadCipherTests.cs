using System.Security.Cryptography;
using Attest.Audit.Crypto;

namespace Attest.Audit.Tests;

public class PayloadCipherTests
{
    [Fact]
    public void A_reused_cipher_seals_payloads_that_open_with_the_subject_key_and_are_bound_to_their_event()
    {
        var key = PayloadCrypto.NewKey();
        using var cipher = PayloadCrypto.NewCipher(key);
        var ids = new[] { "01JEVENT", new string('é', 300), "" };
        foreach (var id in ids)
        {
            var plaintext = System.Text.Encoding.UTF8.GetBytes("{\"prompt\":\"p-" + id.Length + "\"}");
            var sealedBytes = PayloadCrypto.SealPayload(cipher, id, plaintext);
            Assert.Equal(plaintext, PayloadCrypto.OpenPayload(key, id, sealedBytes));
            Assert.ThrowsAny<CryptographicException>(() => PayloadCrypto.OpenPayload(key, id + "x", sealedBytes));
            Assert.ThrowsAny<CryptographicException>(() => PayloadCrypto.OpenPayload(PayloadCrypto.NewKey(), id, sealedBytes));
            // Fresh nonce every time: the same payload never seals to the same bytes.
            Assert.NotEqual(sealedBytes, PayloadCrypto.SealPayload(cipher, id, plaintext));
        }
        Assert.ThrowsAny<CryptographicException>(() => PayloadCrypto.NewCipher(new byte[16]));
    }
}

public class Sha256FastTests
{
    [Fact]
    public void Fast_sha256_equals_the_platform_sha256_for_every_length_around_block_boundaries()
    {
        var rng = new Random(7);
        Span<byte> a = stackalloc byte[32], b = stackalloc byte[32];
        for (var len = 0; len < 300; len++)
        {
            var data = new byte[len];
            rng.NextBytes(data);
            Attest.Audit.Merkle.Sha256Fast.Hash(data, a);
            System.Security.Cryptography.SHA256.HashData(data, b);
            Assert.True(a.SequenceEqual(b), $"length {len}");
        }
        var big = new byte[1 << 20];
        rng.NextBytes(big);
        Attest.Audit.Merkle.Sha256Fast.Hash(big, a);
        Assert.Equal(System.Security.Cryptography.SHA256.HashData(big), a.ToArray());
        Assert.True(Attest.Audit.Merkle.Sha256Fast.IsNative || !OperatingSystem.IsLinux(), "on Linux the OpenSSL path is expected to be in use");
    }
}
