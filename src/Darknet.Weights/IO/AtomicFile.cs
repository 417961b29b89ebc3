using System;
using System.IO;

namespace Darknet.Weights.IO
{
    /// <summary>
    /// The one way a finished file appears under its final name: written to a <see cref="TempFiles"/> temp beside it,
    /// flushed to disk, checked by the caller, then renamed over the target. On any failure the temp is deleted and the
    /// target is untouched. A target that exists and is a directory is refused before anything is written.
    /// </summary>
    internal static class AtomicFile
    {
        /// <summary>Writes <paramref name="path"/> through <paramref name="write"/>; the file appears only when it returns.</summary>
        public static void Write(string path, Action<Stream> write)
        {
            var full = Path.GetFullPath(path);
            RefuseDirectory(full);
            var directory = Path.GetDirectoryName(full) ?? ".";
            Directory.CreateDirectory(directory);
            var temp = TempFiles.PathFor(full);
            try
            {
                using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
                {
                    write(stream);
                    stream.Flush(flushToDisk: true);
                }
                Publish(temp, full);
            }
            finally
            {
                TryDelete(temp);
            }
        }

        /// <summary>Deletes a file if it is there; false when it was not, or could not be deleted.</summary>
        public static bool TryDelete(string path)
        {
            try
            {
                if (!File.Exists(path)) return false;
                File.Delete(path);
                return true;
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                return false;
            }
        }

        public static void WriteAllText(string path, string text) =>
            Write(path, stream =>
            {
                var bytes = new System.Text.UTF8Encoding(false).GetBytes(text);
                stream.Write(bytes, 0, bytes.Length);
            });

        /// <summary>Renames a finished temp over <paramref name="finalPath"/> (atomic on one volume).</summary>
        public static void Publish(string tempPath, string finalPath)
        {
            RefuseDirectory(finalPath);
            if (!File.Exists(finalPath))
            {
                File.Move(tempPath, finalPath);
                return;
            }
            try
            {
                // rename(2) on Unix, ReplaceFile on Windows: readers see the old file or the new one, never a mix.
                File.Replace(tempPath, finalPath, destinationBackupFileName: null);
            }
            catch (PlatformNotSupportedException)
            {
                File.Delete(finalPath);
                File.Move(tempPath, finalPath);
            }
        }

        private static void RefuseDirectory(string path)
        {
            if (Directory.Exists(path))
                throw new DarknetException(ErrorCodes.FileAccessFailed,
                    $"the output path is a directory: {path} (give a file name, e.g. {Path.Combine(path, "model.npy")})");
        }
    }
}
