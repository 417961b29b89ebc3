using System;
using System.IO;
using System.Security.Cryptography;
using System.Threading;

namespace Darknet.Build.Cache
{
    /// <summary>
    /// Size, SHA-256 and SHA-1 of a file, computed in one read: <c>FileHashes.Compute(path, ct)</c>.
    /// Hashes are lower-case hex.
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

        public static FileHashes Compute(string path, CancellationToken cancellationToken = default)
        {
            using (var input = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16))
            using (var sha256 = SHA256.Create())
            using (var sha1 = SHA1.Create())
            {
                var buffer = new byte[1 << 20];
                long size = 0;
                int read;
                while ((read = input.Read(buffer, 0, buffer.Length)) > 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    sha256.TransformBlock(buffer, 0, read, null, 0);
                    sha1.TransformBlock(buffer, 0, read, null, 0);
                    size += read;
                }
                sha256.TransformFinalBlock(buffer, 0, 0);
                sha1.TransformFinalBlock(buffer, 0, 0);
                return new FileHashes(size, Hex(sha256.Hash!), Hex(sha1.Hash!));
            }
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
}
