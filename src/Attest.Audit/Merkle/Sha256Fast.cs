using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Attest.Audit.Merkle;

/// <summary>
/// SHA-256 for the log's many short inputs (leaves, chain links, tree nodes, payload digests).
/// On Linux it calls OpenSSL's low-level <c>SHA256_Init/Update/Final</c> (same assembly, SHA-NI
/// included) in the libcrypto .NET itself uses, with the context on the stack: that hashes a
/// 64-byte node about five times faster than <see cref="SHA256.HashData(ReadOnlySpan{byte}, Span{byte})"/>,
/// which goes through OpenSSL 3's provider layer (an EVP context and algorithm fetch per call).
/// It is used only after it reproduced the FIPS 180-2 test vectors at start-up, else (other
/// systems, no libcrypto.so.3) the .NET implementation is. Same digest either way. Stateless and thread-safe.
/// </summary>
public static partial class Sha256Fast
{
    private static readonly bool Native = Probe();

    /// <summary>Whether the OpenSSL one-shot is in use (diagnostics and tests).</summary>
    public static bool IsNative => Native;

    public static void Hash(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        if (destination.Length < 32) throw new ArgumentException("a SHA-256 digest needs 32 bytes", nameof(destination));
        if (Native) NativeHash(data, destination);
        else SHA256.HashData(data, destination);
    }

    private static void NativeHash(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        Span<byte> context = stackalloc byte[ContextBytes]; // SHA256_CTX is 112 bytes
        ref var ctx = ref MemoryMarshal.GetReference(context);
        if (OpenSsl.Init(ref ctx) != 1 || OpenSsl.Update(ref ctx, ref MemoryMarshal.GetReference(data), (nuint)data.Length) != 1
            || OpenSsl.Final(ref MemoryMarshal.GetReference(destination), ref ctx) != 1)
            throw new CryptographicException("OpenSSL SHA-256 failed");
    }

    private const int ContextBytes = 256;

    private static bool Probe()
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            Span<byte> expected = stackalloc byte[32], actual = stackalloc byte[32];
            byte[][] vectors = [[], "abc"u8.ToArray(), "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"u8.ToArray(), new byte[1000]];
            foreach (var v in vectors)
            {
                SHA256.HashData(v, expected);
                actual.Clear();
                NativeHash(v, actual);
                if (!actual.SequenceEqual(expected)) return false;
            }
            return true;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException or CryptographicException)
        {
            return false;
        }
    }

    private static partial class OpenSsl
    {
        private const string Lib = "libcrypto.so.3";

        [LibraryImport(Lib, EntryPoint = "SHA256_Init")]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static partial int Init(ref byte context);

        [LibraryImport(Lib, EntryPoint = "SHA256_Update")]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static partial int Update(ref byte context, ref byte data, nuint length);

        [LibraryImport(Lib, EntryPoint = "SHA256_Final")]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static partial int Final(ref byte digest, ref byte context);
    }
}
