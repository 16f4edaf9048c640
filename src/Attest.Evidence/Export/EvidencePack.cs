using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Attest.Evidence.Export;

/// <summary>The outcome of verifying an evidence pack; <see cref="Problems"/> names every failure.</summary>
public sealed record PackVerification(bool Valid, IReadOnlyList<string> Problems, string? KeyId, int Files);

/// <summary>
/// <c>evidence.zip</c>: the report files, <c>manifest.json</c> listing each file's SHA-256 and size,
/// <c>manifest.sig</c> (base64 ECDSA P-256 / SHA-256 signature over the exact manifest bytes, IEEE P1363
/// format) and <c>signing-key.pem</c> (the public key). Verification recomputes every hash, refuses
/// missing or extra files, and checks the signature — against a trusted public key when one is given
/// (the embedded key alone proves only that the pack is internally consistent).
/// </summary>
public static class EvidencePack
{
    public const string Manifest = "manifest.json";
    public const string Signature = "manifest.sig";
    public const string PublicKey = "signing-key.pem";

    /// <summary>Key id: first 8 bytes (hex) of SHA-256 over the public key's SubjectPublicKeyInfo.</summary>
    public static string KeyId(ECDsa key) => Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo()).AsSpan(0, 8));

    public static void Write(string zipPath, IReadOnlyDictionary<string, byte[]> files, ECDsa key, DateTimeOffset createdAt, string period)
    {
        var manifest = new JsonObject
        {
            ["format"] = "attest.evidence-pack/v1",
            ["period"] = period,
            ["created_at"] = createdAt.ToUniversalTime().ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            ["key_id"] = KeyId(key),
            ["files"] = new JsonArray([.. files.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => (JsonNode)new JsonObject
            {
                ["path"] = f.Key,
                ["sha256"] = Convert.ToHexStringLower(SHA256.HashData(f.Value)),
                ["size"] = f.Value.Length,
            })]),
        };
        var manifestBytes = Encoding.UTF8.GetBytes(manifest.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        var sig = key.SignData(manifestBytes, HashAlgorithmName.SHA256);
        if (File.Exists(zipPath)) File.Delete(zipPath);
        using var zip = ZipFile.Open(zipPath, ZipArchiveMode.Create);
        foreach (var (path, bytes) in files.OrderBy(f => f.Key, StringComparer.Ordinal)) Add(zip, path, bytes);
        Add(zip, Manifest, manifestBytes);
        Add(zip, Signature, Encoding.ASCII.GetBytes(Convert.ToBase64String(sig) + "\n"));
        Add(zip, PublicKey, Encoding.ASCII.GetBytes(key.ExportSubjectPublicKeyInfoPem() + "\n"));
    }

    public static PackVerification Verify(string zipPath, ECDsa? trustedKey = null)
    {
        var problems = new List<string>();
        if (!File.Exists(zipPath)) return new PackVerification(false, [$"{zipPath}: no such file"], null, 0);
        ZipArchive zip;
        try { zip = ZipFile.OpenRead(zipPath); }
        catch (InvalidDataException) { return new PackVerification(false, [$"{zipPath}: not a zip archive"], null, 0); }
        using (zip)
        {
            var entries = zip.Entries.Where(e => !e.FullName.EndsWith('/')).ToDictionary(e => e.FullName, ReadAll, StringComparer.Ordinal);
            if (!entries.TryGetValue(Manifest, out var manifestBytes)) return new PackVerification(false, ["manifest.json is missing"], null, 0);
            if (!entries.TryGetValue(Signature, out var sigBytes)) return new PackVerification(false, ["manifest.sig is missing"], null, 0);
            JsonNode? manifest;
            try { manifest = JsonNode.Parse(manifestBytes); }
            catch (JsonException e) { return new PackVerification(false, [$"manifest.json is not valid JSON: {e.Message}"], null, 0); }
            var keyId = manifest?["key_id"]?.GetValue<string>();
            using var embedded = ECDsa.Create();
            var verifier = trustedKey;
            if (verifier is null)
            {
                if (!entries.TryGetValue(PublicKey, out var pem)) problems.Add("signing-key.pem is missing and no public key was given");
                else { embedded.ImportFromPem(Encoding.ASCII.GetString(pem)); verifier = embedded; }
            }
            if (verifier is not null)
            {
                byte[] sig;
                try { sig = Convert.FromBase64String(Encoding.ASCII.GetString(sigBytes).Trim()); }
                catch (FormatException) { sig = []; }
                if (!verifier.VerifyData(manifestBytes, sig, HashAlgorithmName.SHA256))
                    problems.Add(trustedKey is null ? "manifest signature does not verify with the embedded key" : "manifest signature does not verify with the given public key");
                if (keyId is not null && KeyId(verifier) != keyId) problems.Add($"manifest names key {keyId} but the verifying key is {KeyId(verifier)}");
            }
            var listed = new HashSet<string>(StringComparer.Ordinal);
            foreach (var f in manifest?["files"]?.AsArray() ?? [])
            {
                var path = f?["path"]?.GetValue<string>() ?? "";
                listed.Add(path);
                if (!entries.TryGetValue(path, out var bytes)) { problems.Add($"{path}: listed in the manifest but missing"); continue; }
                var hash = Convert.ToHexStringLower(SHA256.HashData(bytes));
                if (hash != f?["sha256"]?.GetValue<string>()) problems.Add($"{path}: SHA-256 differs from the manifest (modified)");
            }
            foreach (var extra in entries.Keys.Where(k => k is not (Manifest or Signature or PublicKey) && !listed.Contains(k)))
                problems.Add($"{extra}: not listed in the manifest (added)");
            return new PackVerification(problems.Count == 0, problems, keyId, listed.Count);
        }
    }

    private static void Add(ZipArchive zip, string path, byte[] bytes)
    {
        var e = zip.CreateEntry(path, CompressionLevel.Optimal);
        e.LastWriteTime = new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
        using var s = e.Open();
        s.Write(bytes);
    }

    private static byte[] ReadAll(ZipArchiveEntry e)
    {
        using var s = e.Open();
        using var ms = new MemoryStream();
        s.CopyTo(ms);
        return ms.ToArray();
    }
}
