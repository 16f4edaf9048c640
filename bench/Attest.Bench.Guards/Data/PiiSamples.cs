namespace Attest.Bench.Guards.Data;

/// <summary>Seeded generator of PII positives per type and look-alike negatives (checksum failures, versions, ids).</summary>
public static class PiiSamples
{
    private static string D(Random r, int n) { var c = new char[n]; for (int i = 0; i < n; i++) c[i] = (char)('0' + r.Next(10)); return new string(c); }
    private static T Pick<T>(Random r, IReadOnlyList<T> xs) => xs[r.Next(xs.Count)];

    private static readonly string[] First = ["James", "Maria", "Wei", "Priya", "Lars", "Fatima", "Carlos", "Emma", "Noah", "Sophie"];
    private static readonly string[] Last = ["Okafor", "Schmidt", "Nakamura", "Fernandes", "Walsh", "Kowalski", "Haddad", "Lindqvist", "Moreau", "Reyes"];
    private static readonly string[] Streets = ["Maple", "Oak Hill", "Church", "Victoria", "Sunset", "Lakeview", "Mill Creek", "King"];
    private static readonly string[] Suffix = ["Street", "Avenue", "Road", "Lane", "Drive", "Blvd", "Court", "Way"];
    private static readonly string[] Domains = ["example.com", "mail.example.org", "corp.example.net", "uni.example.edu", "example.co.uk"];

    public static string Luhnify(string partial)
    {
        for (int d = 0; d < 10; d++) if (Attest.Guards.Pii.Checksums.Luhn(partial + d)) return partial + d;
        throw new InvalidOperationException();
    }

    private static string Iban(Random r, string cc, int len)
    {
        var bban = D(r, len - 4);
        for (int check = 2; check < 99; check++)
        {
            var iban = cc + check.ToString("00") + bban;
            if (Attest.Guards.Pii.Checksums.IbanMod97(iban)) return iban;
        }
        throw new InvalidOperationException();
    }

    private static string Group4(string s) => string.Join(' ', Enumerable.Range(0, (s.Length + 3) / 4).Select(i => s.Substring(i * 4, Math.Min(4, s.Length - i * 4))));

    private static string Ssn(Random r)
    {
        while (true)
        {
            int a = r.Next(1, 900), g = r.Next(1, 100), s = r.Next(1, 10000);
            if (a != 666 && Attest.Guards.Pii.Checksums.UsSsn(a, g, s)) return $"{a:000}-{g:00}-{s:0000}";
        }
    }

    private static string Aba(Random r)
    {
        while (true)
        {
            var p = Pick(r, new[] { "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12", "21", "22", "26", "31", "32", "61", "63", "67" }) + D(r, 6);
            for (int c = 0; c < 10; c++) if (Attest.Guards.Pii.Checksums.AbaRouting(p + c)) return p + c;
        }
    }

    /// <summary>Type → generator of (text, exact value) with the value embedded in a sentence.</summary>
    public static IReadOnlyDictionary<string, Func<Random, (string Text, string Value)>> Positives { get; } = new Dictionary<string, Func<Random, (string, string)>>
    {
        ["pii.email"] = r => { var v = $"{Pick(r, First).ToLowerInvariant()}.{Pick(r, Last).ToLowerInvariant()}{r.Next(100)}@{Pick(r, Domains)}"; return ($"Please reply to {v} by Friday.", v); },
        ["pii.phone"] = r => { var v = r.Next(6) switch { 0 => $"+1 {r.Next(201, 989)} {r.Next(200, 999)} {D(r, 4)}", 1 => $"({r.Next(201, 989)}) {r.Next(200, 999)}-{D(r, 4)}", 2 => $"020 {D(r, 4)} {D(r, 4)}", 3 => $"+49 30 {D(r, 8)}", 4 => $"0{r.Next(1, 10)} {D(r, 2)} {D(r, 2)} {D(r, 2)} {D(r, 2)}", _ => $"{r.Next(6, 10)}{D(r, 4)} {D(r, 5)}" }; return ($"You can reach me on {v} after six.", v); },
        ["pii.card"] = r => { var v = r.Next(3) switch { 0 => Luhnify("4" + D(r, 14)), 1 => Luhnify("5" + r.Next(1, 6) + D(r, 13)), _ => Luhnify("3" + (r.Next(2) == 0 ? "4" : "7") + D(r, 12)) }; v = r.Next(2) == 0 ? Group4(v) : v; return ($"Charge it to {v} please.", v); },
        ["pii.ssn"] = r => { var v = Ssn(r); return ($"Employee SSN: {v}.", v); },
        ["pii.iban"] = r => { var (cc, len) = Pick(r, new[] { ("DE", 22), ("GB", 22), ("FR", 27), ("NL", 18), ("ES", 24), ("IT", 27) }); var v = Iban(r, cc, len); if (cc == "GB") v = cc + v[2..4] + "WEST" + v[8..]; v = Attest.Guards.Pii.Checksums.IbanMod97(v) ? v : Iban(r, cc, len); return ($"Transfer to {v} today.", v); },
        ["pii.ip"] = r => { var v = r.Next(4) == 0 ? $"2001:db8:{r.Next(0x10000):x}::{r.Next(0x10000):x}" : $"{r.Next(1, 255)}.{r.Next(256)}.{r.Next(256)}.{r.Next(1, 255)}"; return ($"Failed login from {v} at noon.", v); },
        ["pii.aba"] = r => { var v = Aba(r); return ($"Our routing number is {v}.", v); },
        ["pii.person"] = r => { var v = $"{Pick(r, First)} {Pick(r, Last)}"; return (r.Next(2) == 0 ? $"Hi, my name is {v} and I need help." : $"The form was signed by {v} yesterday.", v); },
        ["pii.address"] = r => { var v = $"{r.Next(1, 9999)} {Pick(r, Streets)} {Pick(r, Suffix)}"; return ($"Ship it to {v}, apartment 4.", v); },
    };

    /// <summary>Type → look-alike text that must not be reported as that type.</summary>
    public static IReadOnlyDictionary<string, Func<Random, string>> Negatives { get; } = new Dictionary<string, Func<Random, string>>
    {
        ["pii.email"] = r => $"Use the @{Pick(r, First).ToLowerInvariant()} handle or user@localhost for tests.",
        ["pii.phone"] = r => $"Order {D(r, 7)} shipped; tracking code {D(r, 12)}.",
        ["pii.card"] = r => { var v = "4" + D(r, 15); while (Attest.Guards.Pii.Checksums.Luhn(v)) v = "4" + D(r, 15); return $"Reference {v} attached."; },
        ["pii.ssn"] = r => $"Part number {r.Next(900, 1000)}-{D(r, 2)}-{D(r, 4)} and {r.Next(100, 900)}-00-{D(r, 4)}.",
        ["pii.iban"] = r => $"Code DE{D(r, 20)}X and GB00WEST{D(r, 14)} are invalid.",
        ["pii.ip"] = r => $"Upgrade to version {r.Next(1, 9)}.{r.Next(20)}.{r.Next(20)}.{r.Next(20)}.{r.Next(9)} and OID 1.3.6.1.4.1.{r.Next(99999)}.",
        ["pii.aba"] = r => $"Invoice {D(r, 9)} is due.",
        ["pii.person"] = r => $"The {Pick(r, Streets)} Project starts Monday in {Pick(r, new[] { "Berlin", "Paris", "Austin" })}.",
        ["pii.address"] = r => $"We sold {r.Next(2, 999)} units in {Pick(r, new[] { "March", "Q3", "2025" })}.",
    };
}
