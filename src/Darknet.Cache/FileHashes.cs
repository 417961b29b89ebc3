using System;
using System.IO;
using System.Security.Cryptography;
using System.Threading;

namespace Darknet.Cache;

/// <summary>
/// Size, SHA-256 and SHA-1 of a file, computed in one read: <c>FileHashes.Compute(path, ct)</c>.
/// Hashes are lower-case hex; <see cref="Sha1"/> is empty where it was not computed (outputs, copies, local weights).
/// </summary>
public sealed class FileHashes
{
    public FileHashes(long size, string sha256, string sha1)
    {
        Size = size;
        Sha256 = sha256;
        Sha1 = sha1;
    }

    public long Size { get; }
    public string Sha256 { get; }
    public string Sha1 { get; }

    public static FileHashes Compute(string path, CancellationToken cancellationToken = default) => Compute(path, withSha1: true, cancellationToken);

    public static FileHashes Compute(string path, bool withSha1, CancellationToken cancellationToken = default)
    {
        using (var input = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16))
            return Compute(input, withSha1, cancellationToken);
    }

    /// <summary>Hashes <paramref name="input"/> from its position to its end.</summary>
    internal static FileHashes Compute(Stream input, bool withSha1, CancellationToken cancellationToken = default)
    {
        using (var hashing = new HashingStream(input, leaveOpen: true, withSha1: withSha1))
        {
            var buffer = new byte[1 << 20];
            while (hashing.Read(buffer, 0, buffer.Length) > 0) cancellationToken.ThrowIfCancellationRequested();
            return hashing.Complete();
        }
    }

    /// <summary>
    /// The one check of a digest someone wrote (metadata, a command line, a catalog): <paramref name="value"/> trimmed and
    /// lower-cased when it is exactly <paramref name="length"/> hex digits (64 for SHA-256, 40 for SHA-1), else null.
    /// </summary>
    internal static string? ParseHex(string value, int length)
    {
        var hex = value.Trim().ToLowerInvariant();
        if (hex.Length != length) return null;
        foreach (var c in hex)
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return null;
        return hex;
    }

    public static string Hex(byte[] bytes)
    {
        var chars = new char[bytes.Length * 2];
        const string digits = "0123456789abcdef";
        for (int i = 0; i < bytes.Length; i++)
        {
            chars[2 * i] = digits[bytes[i] >> 4];
            chars[2 * i + 1] = digits[bytes[i] & 15];
        }
        return new string(chars);
    }
}
