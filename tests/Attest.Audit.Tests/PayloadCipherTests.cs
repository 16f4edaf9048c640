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
