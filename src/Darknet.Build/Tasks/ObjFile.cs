using System;
using System.IO;
using Darknet.Weights.IO;

namespace Darknet.Build.Tasks
{
    /// <summary>
    /// Places a cached output in the project's obj/ folder. A file whose bytes already match is left alone, apart from
    /// its timestamp (the acquire step ran because an input is newer; the output must now be newer than that input).
    /// </summary>
    internal static class ObjFile
    {
        public static void Place(string source, string destination)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            if (SameBytes(source, destination))
            {
                File.SetLastWriteTimeUtc(destination, DateTime.UtcNow);
                return;
            }
            AtomicFile.Write(destination, output =>
            {
                using var input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
                input.CopyTo(output, 1 << 20);
            });
        }

        private static bool SameBytes(string a, string b)
        {
            if (!File.Exists(b)) return false;
            if (new FileInfo(a).Length != new FileInfo(b).Length) return false;
            const int size = 1 << 20;
            var bufferA = new byte[size];
            var bufferB = new byte[size];
            using var streamA = new FileStream(a, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
            using var streamB = new FileStream(b, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
            while (true)
            {
                var readA = ReadFull(streamA, bufferA);
                var readB = ReadFull(streamB, bufferB);
                if (readA != readB) return false;
                if (readA == 0) return true;
                for (var i = 0; i < readA; i++)
                    if (bufferA[i] != bufferB[i]) return false;
            }
        }

        private static int ReadFull(Stream stream, byte[] buffer)
        {
            var total = 0;
            while (total < buffer.Length)
            {
                var read = stream.Read(buffer, total, buffer.Length - total);
                if (read == 0) break;
                total += read;
            }
            return total;
        }
    }
}
