using System;
using System.IO;
using Darknet.Cache;
using Darknet.Weights.IO;

namespace Darknet.Build.Tasks
{
    /// <summary>
    /// Places a cached output in the project's obj/ folder, checking its bytes against the SHA-256 the cache recorded:
    /// the copy is hashed after it is made and published only when it matches. A file already there with those bytes is
    /// left alone, apart from its timestamp (the acquire step ran because an input is newer; the output must now be newer
    /// than that input). Temps of killed builds in that folder are removed first.
    /// </summary>
    /// <remarks>
    /// The copy is the runtime's <see cref="File.Copy(string, string)"/>: a copy-on-write clone (FICLONE) where the file
    /// system has them (btrfs, XFS, APFS via clonefile), else an in-kernel copy, so no byte passes through this process
    /// before the hash. A clone shares blocks with the cache entry until one of them is written, so a user who changes
    /// their copy never changes the cache. Never a hard link: that would make the obj/ file and the cache entry one file.
    /// </remarks>
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
            AtomicFile.RefuseToReplace(destination);
            var temp = TempFiles.PathFor(Path.GetFullPath(destination));
            try
            {
                File.Copy(source.Path, temp);
                using (var copy = new FileStream(temp, FileMode.Open, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.SequentialScan))
                {
                    var copied = FileHashes.Compute(copy, withSha1: false);
                    if (copied.Size != source.Hashes.Size || copied.Sha256 != source.Hashes.Sha256) return false;
                    copy.Flush(flushToDisk: true);
                }
                // File.Copy keeps the cache entry's time; the output must be newer than this build's inputs (the stamp).
                File.SetLastWriteTimeUtc(temp, DateTime.UtcNow);
                AtomicFile.Publish(temp, destination);
                return true;
            }
            finally
            {
                AtomicFile.TryDelete(temp);
            }
        }

        private static bool Holds(string path, FileHashes expected)
        {
            var info = new FileInfo(path);
            if (!info.Exists || info.Length != expected.Size) return false;
            return FileHashes.Compute(path, withSha1: false).Sha256 == expected.Sha256;
        }
    }
}
