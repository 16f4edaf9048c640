using Attest.Guards.Pii;

namespace Attest.Guards.Tests;

public class PiiTests
{
    private static readonly PiiGuard Guard = new();

    private static string[] Types(string text) => [.. TestPipelines.Scan(Guard, text).Select(f => f.Type).Distinct()];

    [Theory]
    [InlineData("write to jane.doe+tag@example.co.uk today", "pii.email")]
    [InlineData("card 4111 1111 1111 1111 exp 12/28", "pii.card")]
    [InlineData("amex 378282246310005", "pii.card")]
    [InlineData("mc 5555-5555-5555-4444", "pii.card")]
    [InlineData("SSN 536-22-1234 on file", "pii.ssn")]
    [InlineData("IBAN DE89 3704 0044 0532 0130 00 please", "pii.iban")]
    [InlineData("pay GB82WEST12345698765432 now", "pii.iban")]
    [InlineData("login from 192.168.10.254 failed", "pii.ip")]
    [InlineData("client 2001:db8:85a3::8a2e:370:7334 connected", "pii.ip")]
    [InlineData("call +44 20 7946 0958 now", "pii.phone")]
    [InlineData("phone (415) 555-2671", "pii.phone")]
    [InlineData("Tel: 030 12345678", "pii.phone")]
    [InlineData("appelez 01 23 45 67 89", "pii.phone")]
    [InlineData("mobile 98765 43210", "pii.phone")]
    [InlineData("UK mobile 07700 900123", "pii.phone")]
    [InlineData("routing number 021000021 for the wire", "pii.aba")]
    [InlineData("date of birth: 14/03/1985", "pii.dob")]
    [InlineData("passport number 123456789", "pii.passport")]
    [InlineData("driver's license D1234567", "pii.driver_license")]
    [InlineData("Hello, my name is Jonathan Whitaker.", "pii.person")]
    [InlineData("Please ask Dr. Okonkwo about it", "pii.person")]
    [InlineData("I live at 742 Evergreen Terrace, Springfield", "pii.address")]
    public void Recognizes(string text, string type) => Assert.Contains(type, Types(text));

    [Theory]
    [InlineData("card 4111 1111 1111 1112", "pii.card")]          // Luhn fails
    [InlineData("order 1234567812345678", "pii.card")]            // Luhn fails
    [InlineData("card 9000 1234 5678 9016", "pii.card")]          // Luhn passes, no known IIN range
    [InlineData("card 1234 5678 1234 5670", "pii.card")]          // Luhn passes, no known IIN range
    [InlineData("ssn 000-12-3456", "pii.ssn")]                    // area 000
    [InlineData("ssn 666-12-3456", "pii.ssn")]                    // area 666
    [InlineData("ssn 912-12-3456", "pii.ssn")]                    // area 9xx
    [InlineData("ssn 123-00-4567", "pii.ssn")]                    // group 00
    [InlineData("ssn 123-45-0000", "pii.ssn")]                    // serial 0000
    [InlineData("IBAN DE89 3704 0044 0532 0130 01", "pii.iban")]  // mod-97 fails
    [InlineData("IBAN DE89 3704 0044 0532 0130", "pii.iban")]     // wrong length for DE
    [InlineData("version 1.2.3.4.5 released", "pii.ip")]          // dotted version, not an IP
    [InlineData("value 999.1.1.1", "pii.ip")]                     // octet out of range
    [InlineData("at 12:30:45 we met", "pii.ip")]                  // a time, not IPv6
    [InlineData("routing number 021000022", "pii.aba")]           // checksum fails
    [InlineData("invoice 021000021 attached", "pii.aba")]         // valid checksum, no cue
    [InlineData("the meeting on 14/03/1985 went well", "pii.dob")]// date without birth cue
    [InlineData("user@localhost is not an address", "pii.email")] // no TLD
    [InlineData("see The Street for details", "pii.person")]
    public void RejectsLookAlikes(string text, string type) => Assert.DoesNotContain(type, Types(text));

    [Fact]
    public void ContextWordsRaiseScore()
    {
        var plain = TestPipelines.Scan(Guard, "ref 4111111111111111").Single(f => f.Type == "pii.card");
        var cued = TestPipelines.Scan(Guard, "credit card 4111111111111111").Single(f => f.Type == "pii.card");
        Assert.True(cued.Score > plain.Score);
        Assert.DoesNotContain(TestPipelines.Scan(Guard, "id 4155552671"), f => f.Type == "pii.phone");
        Assert.Single(TestPipelines.Scan(Guard, "call me at 4155552671"), f => f.Type == "pii.phone");
    }

    [Fact]
    public void SpansPointAtTheValue()
    {
        const string text = "mail jane@example.com now";
        var f = TestPipelines.Scan(Guard, text).Single();
        Assert.Equal("jane@example.com", text.Substring(f.Start, f.Length));
        Assert.Equal("pii.email", f.RuleId);
    }

    [Theory]
    [InlineData("4111111111111111", true)]
    [InlineData("4111111111111112", false)]
    [InlineData("79927398713", true)]
    public void Luhn(string digits, bool ok) => Assert.Equal(ok, Checksums.Luhn(digits));

    [Fact]
    public void AbaChecksum()
    {
        Assert.True(Checksums.AbaRouting("021000021"));
        Assert.True(Checksums.AbaRouting("011000015"));
        Assert.False(Checksums.AbaRouting("021000022"));
        Assert.False(Checksums.AbaRouting("991000021")); // prefix not assigned
    }
}
