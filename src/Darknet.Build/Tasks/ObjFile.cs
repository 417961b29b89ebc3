using System;
using System.IO;
using Darknet.Build.Cache;
using Darknet.Weights.IO;

namespace Darknet.Build.Tasks
{
    /// <summary>
    /// Places a cached output in the project's obj/ folder, checking its bytes against the SHA-256 the cache recorded:
    /// the copy is hashed while it is made and published only when it matches. A file already there with those bytes is
    /// left alone, apart from its timestamp (the acquire step ran because an input is newer; the output must now be newer
    /// than that input). Temps of killed builds in that folder are removed first.
    /// </summary>
    internal static class ObjFile
    {
        /// <summary>False when the cached file is not what its sidecar recorded (nothing is placed): rebuild it and try again.</summary>
        public static bool Place(CachedFile source, string destination)
        {
            var directory = Path.GetDirectoryName(destination)!;
            Directory.CreateDirectory(directory);
            TempFiles.DeleteOrphans(directory);
            if (Holds(destination, source.Hashes))
            {
                File.SetLastWriteTimeUtc(destination, DateTime.UtcNow);
                return true;
            }
            try
            {
                AtomicFile.Write(destination, output =>
                {
                    using var input = new FileStream(source.Path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
                    using var hashing = new HashingStream(input);
                    hashing.CopyTo(output, 1 << 20);
                    var copied = hashing.Complete();
                    if (copied.Size != source.Hashes.Size || copied.Sha256 != source.Hashes.Sha256) throw new DamagedSource();
                });
                return true;
            }
            catch (DamagedSource)
            {
                return false;
            }
        }

        private static bool Holds(string path, FileHashes expected)
        {
            var info = new FileInfo(path);
            if (!info.Exists || info.Length != expected.Size) return false;
            return FileHashes.Compute(path).Sha256 == expected.Sha256;
        }

        private sealed class DamagedSource : Exception
        {
        }
    }
}
