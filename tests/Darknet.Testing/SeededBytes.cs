using System.Security.Cryptography;

namespace Darknet.Testing;

/// <summary>Deterministic test content: <c>SeededBytes.Create(length, seed)</c> and <c>SeededBytes.Sha256(bytes)</c> (lower-case hex).</summary>
public static class SeededBytes
{
    public static byte[] Create(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public static string Sha256(byte[] bytes) => Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant();

    public static string Sha1(byte[] bytes) => Convert.ToHexString(SHA1.HashData(bytes)).ToLowerInvariant();
}
